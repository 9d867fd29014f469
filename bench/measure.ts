import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';

/** Timing and memory helpers: warm-up, median of runs, peak RSS. */

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export async function timed<T>(fn: () => T | Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** The process's peak resident set so far (bytes): the kernel's own high-water mark. */
export function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** Minor page faults of this process so far: each one a page of memory touched for the first time. */
export function pageFaults(): number {
  return process.resourceUsage().minorPageFault;
}

/**
 * What this machine charges for a page of memory touched for the first time, in µs: the
 * median of three passes writing one byte in each 4 KiB page of 64 MiB just allocated
 * (beyond the C library's reuse, so mapped afresh). On a desktop a page costs well under a
 * microsecond; on these VMs 13–18.
 */
export function firstTouchMicros(): number {
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    const bytes = new Uint8Array(64 * MiB);
    const faults = pageFaults();
    const t0 = performance.now();
    for (let at = 0; at < bytes.length; at += 4096) bytes[at] = 1;
    const us = (performance.now() - t0) * 1000;
    const touched = pageFaults() - faults;
    samples.push(touched > 0 ? us / touched : 0);
  }
  return median(samples);
}

export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export interface Checksum { units: number; totalTenths: number; hash: string; }

/** Σ totals (in tenths, exact) and a sha256 of (id, total, rank) in the order listed. */
export function checksum(rows: Iterable<{ id: string; total: number; rank: number }>): Checksum {
  const h = createHash('sha256');
  let sum = 0, units = 0;
  for (const r of rows) {
    sum += Math.round(r.total * 10);
    units++;
    h.update(`${r.id},${r.total},${r.rank}\n`);
  }
  return { units, totalTenths: sum, hash: h.digest('hex').slice(0, 16) };
}

export const MiB = 1024 * 1024;
export const fmtMiB = (b: number) => `${(b / MiB).toFixed(0)} MiB`;
