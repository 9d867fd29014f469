import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { FileTooLarge, readAtMost } from '../../src/io/limits.js';
import { tempDir } from '../support/temp.js';

/** Files read from disk are read a piece at a time up to their limit: a file of gigabytes, or a device that never ends, costs no more. */
describe('reading a file up to a limit', () => {
  const dir = tempDir('appraisal-limits-');

  it('reads a file of exactly the limit whole, and refuses one a byte longer', () => {
    const file = path.join(dir, 'f.csv');
    writeFileSync(file, 'x'.repeat(1000));
    expect(readAtMost(file, 1000).toString()).to.equal('x'.repeat(1000));
    expect(() => readAtMost(file, 999)).to.throw(FileTooLarge);
  });

  it('stops reading a device that never ends at the limit', function () {
    if (process.platform === 'win32') this.skip();
    expect(() => readAtMost('/dev/zero', 10 * 1024 * 1024)).to.throw(FileTooLarge);
  });
});
