import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

describe('the temp folders of a test run', () => {
  it('are removed, with what was written in them, when the process that made them exits', () => {
    const script = `import { tempDir } from ${JSON.stringify(new URL('./temp.js', import.meta.url).href)};
      import fs from 'node:fs'; import path from 'node:path';
      const a = tempDir('appraisal-temp-test-'), b = tempDir('appraisal-temp-test-');
      fs.mkdirSync(path.join(a, 'inner')); fs.writeFileSync(path.join(a, 'inner', 'x.sqlite'), 'x');
      console.log(JSON.stringify([a, b, fs.existsSync(path.join(a, 'inner', 'x.sqlite')) && fs.existsSync(b)]));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.status, run.stderr).to.equal(0);
    const [a, b, existed] = JSON.parse(run.stdout) as [string, string, boolean];
    expect(existed).to.equal(true);
    expect(existsSync(a)).to.equal(false);
    expect(existsSync(b)).to.equal(false);
  });
});
