import { setImmediate as setImmediatePromise } from 'node:timers/promises';

/**
 * Makes and writes `count` slices, each slice's write running while the next one is made:
 * the database driver works on a thread of its own, so a run's 100,000 results are made and
 * written side by side. At most one write is in flight; the first write that fails ends it
 * all with that write's error, once the write in flight (if any) has settled, and no later
 * slice is written.
 */
export async function writeWhileMaking<T>(count: number, make: (k: number) => T, write: (slice: T, k: number) => Promise<void>): Promise<void> {
  let writing: Promise<void> = Promise.resolve();
  try {
    for (let k = 0; k < count; k++) {
      const slice = make(k);
      await writing;
      writing = write(slice, k);
      // A write that fails while the next slice is made is answered when it is awaited, above;
      // until then it must not count as a rejection nobody handles, which ends the process.
      writing.catch(() => undefined);
      // The write reaches the driver only after a few promise turns (a connection is acquired
      // asynchronously): without this yield it waited for the next slice to be made, and the
      // database's thread sat idle while the slices were made (3 s of 100,000 units).
      await setImmediatePromise();
    }
    await writing;
  } catch (e) {
    await writing.catch(() => undefined); // the slice being written settles before the caller goes on
    throw e;
  }
}
