import * as zlib from 'node:zlib';
import { Fragment, type PageParts } from './views.js';

/**
 * A page of parts gzip-compressed for a reader who accepts it, without compressing a kept
 * fragment again for each reader: each part is compressed on its own into a run of deflate
 * blocks that ends on a byte boundary (a sync flush), and runs like these, one after
 * another, are one deflate stream (RFC 1951: no part refers back into another). The
 * stream is then closed with an empty final block and framed as one gzip member
 * (RFC 1952: header, stream, CRC-32 and length of the whole page).
 */

const { constants, deflateRawSync } = zlib;

/** zlib.crc32 came with Node 20.15: on an older Node, pages are sent uncompressed. */
const crc32 = (zlib as { crc32?: (data: Buffer, value?: number) => number }).crc32;
export const canGzip = typeof crc32 === 'function';

const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]); // gzip, deflate, no name, no time, unknown OS
const FINAL_BLOCK = Buffer.from([0x03, 0x00]); // an empty final block (fixed codes: the end-of-block code alone)

/** Fragments as compressed once, for as long as each is kept. */
const compressed = new WeakMap<Fragment, Buffer>();

function deflated(bytes: Buffer, level: number): Buffer {
  return deflateRawSync(bytes, { level, finishFlush: constants.Z_SYNC_FLUSH });
}

export function gzipParts(page: PageParts): Buffer[] {
  const out: Buffer[] = [HEADER];
  let crc = 0;
  for (const part of page.parts) {
    if (part instanceof Fragment) {
      let kept = compressed.get(part);
      // Copied to its own size: zlib hands back a view of a larger working buffer, which would be kept with it.
      if (!kept) compressed.set(part, (kept = Buffer.from(deflated(part.bytes, constants.Z_BEST_COMPRESSION))));
      out.push(kept);
      crc = crc32!(part.bytes, crc);
    } else {
      // The reader's own text is small: compressed fast, each time.
      out.push(deflated(part, 1));
      crc = crc32!(part, crc);
    }
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(page.length % 2 ** 32, 4);
  out.push(FINAL_BLOCK, trailer);
  return out;
}
