import { expect } from 'chai';
import { writeWhileMaking } from '../../src/services/overlapped-writes.js';

/** How a run's results are made and written a slice at a time, side by side. */
describe('writing slices while the next is made', () => {
  it('makes the next slice while the one before is being written, and writes every slice in order', async () => {
    const events: string[] = [];
    await writeWhileMaking(3, (k) => { events.push(`make ${k}`); return k; }, async (slice) => {
      events.push(`write ${slice}`);
      await new Promise((resolve) => setTimeout(resolve, 10)); // a database thread's while
      events.push(`written ${slice}`);
    });
    expect(events).to.deep.equal(['make 0', 'write 0', 'make 1', 'written 0', 'write 1', 'make 2', 'written 1', 'write 2', 'written 2']);
  });

  it('makes and writes nothing for no slices', async () => {
    let calls = 0;
    await writeWhileMaking(0, () => calls++, async () => { calls++; });
    expect(calls).to.equal(0);
  });

  // A write that fails at once fails while the next slice is being made. Unanswered there,
  // Node would count it a rejection nobody handles and end the process (the run's database
  // error lost); it must come out of the call instead, and no later slice be written.
  for (const failing of [0, 1, 2]) {
    it(`ends with the write's own error, leaving no rejection unhandled and writing nothing after it (slice ${failing} refused)`, async () => {
      const unhandled: unknown[] = [];
      const record = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', record);
      const written: number[] = [];
      let error: Error | undefined;
      try {
        await writeWhileMaking(4, (k) => k, (slice) => {
          if (slice === failing) return Promise.reject(new Error('磁盘拒绝写入'));
          written.push(slice);
          return Promise.resolve();
        });
      } catch (e) { error = e as Error; }
      await new Promise((resolve) => setImmediate(resolve));
      process.off('unhandledRejection', record);
      expect(unhandled, 'rejections nobody handled').to.deep.equal([]);
      expect(error?.message).to.equal('磁盘拒绝写入');
      expect(written).to.deep.equal([0, 1, 2].slice(0, failing));
    });
  }

  it('lets the write in flight settle before it answers with the error of the slice being made', async () => {
    let settled = false;
    let error: Error | undefined;
    try {
      await writeWhileMaking(3, (k) => { if (k === 1) throw new Error('第2片出错'); return k; }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        settled = true;
      });
    } catch (e) { error = e as Error; }
    expect(error?.message).to.equal('第2片出错');
    expect(settled, 'the first slice had finished writing').to.equal(true);
  });
});
