import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { gzipParts } from '../../src/http/compression.js';
import { Fragment, type PageParts } from '../../src/http/views.js';

/** A page of parts compressed for a reader: one gzip member that unpacks to the page, byte for byte. */

function page(parts: Array<Buffer | Fragment>): PageParts {
  const length = parts.reduce((n, p) => n + (p instanceof Fragment ? p.bytes.length : p.length), 0);
  return { parts, length, etag: 'W/"test"' };
}
const bytesOf = (p: PageParts) => Buffer.concat(p.parts.map((x) => (x instanceof Fragment ? x.bytes : x)));

describe('a page of parts compressed for a reader', () => {
  it('unpacks to the same bytes, with a kept fragment placed once, twice or not at all', () => {
    const table = new Fragment(Buffer.from('<table>' + '<tr><td>枫林村</td><td>937.8</td></tr>\n'.repeat(2000) + '</table>'));
    const shapes = [
      [Buffer.from('<html><body>'), table, Buffer.from('</body></html>')],
      [table],
      [Buffer.from('前'), table, Buffer.from('中'), table, Buffer.from('后')],
      [Buffer.from('<p>没有片段</p>')],
      [],
    ];
    for (const parts of shapes) {
      const p = page(parts);
      expect(gunzipSync(Buffer.concat(gzipParts(p))).equals(bytesOf(p))).to.equal(true);
    }
  });

  it('unpacks text that does not compress, and is much smaller for text that does', () => {
    const noise = new Fragment(randomBytes(300_000));
    const p = page([Buffer.from('<svg>'), noise, randomBytes(70_000)]);
    expect(gunzipSync(Buffer.concat(gzipParts(p))).equals(bytesOf(p))).to.equal(true);
    const rows = page([new Fragment(Buffer.from('<tr><td class="num">1</td></tr>\n'.repeat(10_000)))]);
    expect(Buffer.concat(gzipParts(rows)).length).to.be.below(rows.length / 20);
  });
});
