import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import zlib from 'node:zlib';
import { countInputs } from '../../src/db/queries/inputs.js';
import { getPeriod } from '../../src/db/queries/periods.js';
import type { Config } from '../../src/config.js';
import { UPLOAD_LIMIT_BYTES } from '../../src/http/app.js';
import { DATA_LIMITS } from '../../src/io/limits.js';
import { syntheticVillagesCsv } from '../support/synthetic.js';
import { appraisalSync } from '../support/cli.js';
import { tallXlsx, wideCsv } from '../support/large-files.js';
import { signedIn, startApp, type Client, type TestApp } from '../support/web.js';
import { tempDir } from '../support/temp.js';

/**
 * Issue 7, item 4 (uploads), beyond test/http/entry.test.ts (a file over the limit, a PNG
 * named .xlsx, 3 bad cells among the demo's 18 rows) and test/io/xlsx.test.ts (zip bombs
 * at the reader): the limit enforced before the body is read, malformed multipart,
 * a zip bomb through the web, and 10,000 rows with exactly 3 bad cells.
 */

async function upload(c: Client, fields: Record<string, string>, files: Array<{ field?: string; name: string; bytes: Uint8Array }>): Promise<Response> {
  await c.get('/entry/upload');
  const form = new FormData();
  form.append('_csrf', c.token);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of files) form.append(f.field ?? 'file', new Blob([Buffer.from(f.bytes)]), f.name);
  return fetch(`${c.base}/entry/upload`, { method: 'POST', body: form, redirect: 'manual', headers: { cookie: c.cookie, accept: 'text/html' } });
}

/** A one-entry ZIP (deflated) that declares its true size: small on the wire, large inflated. */
function zipOf(name: string, data: Buffer): Buffer {
  const fileName = Buffer.from(name);
  const packed = zlib.deflateRawSync(data);
  const local = Buffer.alloc(30), central = Buffer.alloc(46), end = Buffer.alloc(22);
  local.writeUInt32LE(0x04034b50, 0);
  central.writeUInt32LE(0x02014b50, 0);
  for (const [h, at] of [[local, 8], [central, 10]] as const) {
    h.writeUInt16LE(8, at);
    h.writeUInt32LE(zlib.crc32(data), at + 6);
    h.writeUInt32LE(packed.length, at + 10);
    h.writeUInt32LE(data.length, at + 14);
    h.writeUInt16LE(fileName.length, at + 18);
  }
  const cdOffset = 30 + fileName.length + packed.length;
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + fileName.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, fileName, packed, central, fileName, end]);
}

/** The problems an upload page reports, as [row, column, code]. */
const reported = (html: string) =>
  [...html.matchAll(/<tr class="problem" data-row="(\d+)" data-column="([^"]*)" data-code="(\w+)">/g)].map((m) => [Number(m[1]), m[2], m[3]]);

describe('uploads, hardened (issue 7, item 4)', function () {
  this.timeout(120_000);
  let app: TestApp;
  let admin: Client;
  before(async () => {
    app = await startApp();
    admin = await signedIn(app.url, 'admin');
  });
  after(async () => { await app?.close(); });

  it('answers 413 to a declared 100 MB upload at once, without waiting for the body, and closes the connection', async () => {
    await admin.get('/entry/upload');
    const { host, port } = new URL(app.url);
    const socket = net.connect(Number(port), host.replace(/:\d+$/, ''));
    const started = Date.now();
    const answer = await new Promise<{ text: string; closed: boolean }>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no answer within 5 s: ${text}`)); }, 5000);
      socket.on('data', (d) => { text += d; });
      socket.on('close', () => { clearTimeout(timer); resolve({ text, closed: true }); });
      socket.on('error', reject);
      socket.write([
        'POST /entry/upload HTTP/1.1', `Host: ${host}`, `Cookie: ${admin.cookie}`, 'Accept: application/json',
        'Content-Type: multipart/form-data; boundary=----x', `Content-Length: ${100 * 1024 * 1024}`, '', '------x\r\n',
      ].join('\r\n'));
      // Only these few bytes of the 100 MB are ever sent.
    });
    expect(Date.now() - started).to.be.below(2000);
    expect(answer.text).to.match(/^HTTP\/1\.1 413 /);
    expect(answer.text).to.contain('"code":"TOO_LARGE"');
    expect(answer.closed).to.equal(true);
    expect(UPLOAD_LIMIT_BYTES).to.equal(20 * 1024 * 1024);
  });

  it('answers a file sent under another field name, or two files, with 400 and imports nothing', async () => {
    const csv = Buffer.from(syntheticVillagesCsv(3));
    const other = await upload(admin, { period: '2040', track: 'village' }, [{ field: 'attachment', name: 'a.csv', bytes: csv }]);
    expect(other.status).to.equal(400);
    expect(await other.text(), 'the administrator is given the reference').to.match(/错误编号：<code>[0-9a-f]{8}<\/code>/);
    const two = await upload(admin, { period: '2040', track: 'village' }, [{ name: 'a.csv', bytes: csv }, { name: 'b.csv', bytes: csv }]);
    expect(two.status).to.equal(400);
    expect(await getPeriod(app.db, '2040')).to.equal(undefined);
  });

  it('receives a Chinese and accented file name intact', async () => {
    for (const name of ['2026年村级数据（终稿）.csv', 'données-été.csv']) {
      const res = await upload(admin, { period: '2041', track: 'village', replace: '1' }, [{ name, bytes: Buffer.from(syntheticVillagesCsv(3)) }]);
      expect(res.status, name).to.equal(303);
      expect((await admin.get('/entry?period=2041&track=village')).text).to.contain(`已从 ${name} 导入 3 个单位`);
    }
  });

  it('refuses an XLSX zip bomb uploaded through the page, reading nothing of it into the record', async () => {
    const bomb = zipOf('xl/worksheets/sheet1.xml', Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).to.be.below(200 * 1024);
    const res = await upload(admin, { period: '2042', track: 'village' }, [{ name: 'data.xlsx', bytes: bomb }]);
    expect(res.status).to.equal(422);
    expect(reported(await res.text())).to.deep.equal([[1, '', 'DATA_TOO_LARGE']]);
    expect(await getPeriod(app.db, '2042')).to.equal(undefined);
  });

  it('imports nothing from 10,000 rows with 3 bad cells, and reports exactly those 3', async () => {
    const lines = syntheticVillagesCsv(10_000, { seed: 7 }).trimEnd().split('\n');
    expect(lines.length).to.equal(10_001);
    const header = lines[0].split(',');
    const spoil = (row: number, column: string, value: string) => {
      const cells = lines[row - 1].split(',');
      cells[header.indexOf(column)] = value;
      lines[row - 1] = cells.join(',');
    };
    spoil(2, 'population', 'abc');
    spoil(5001, 'births', '-3');
    spoil(10_001, 'teamGrade', '优');
    const res = await upload(admin, { period: '2043', track: 'village' }, [{ name: '一万行.csv', bytes: Buffer.from(lines.join('\n')) }]);
    expect(res.status).to.equal(422);
    const html = await res.text();
    expect(reported(html)).to.deep.equal([[2, 'population', 'NOT_A_NUMBER'], [5001, 'births', 'OUT_OF_RANGE'], [10_001, 'teamGrade', 'UNKNOWN_GRADE_VALUE']]);
    expect(html).to.contain('未导入任何数据');
    expect(await countInputs(app.db, '2043', 'village')).to.equal(0);
    expect(await getPeriod(app.db, '2043')).to.equal(undefined);
    // Not even the units of the file (the earlier test made v0000001–v0000003).
    expect(await app.db('units').where('id', 'like', 'v00%').andWhere('id', '>', 'v0000003').count({ n: '*' }).first()).to.deep.equal({ n: 0 });
  });

  describe('files past the limits (issue 17, item 5)', () => {
    /** GET /login again and again until `done` settles: the longest answer, and how many were asked. */
    async function loginTimes(done: Promise<unknown>): Promise<{ longest: number; count: number }> {
      let settled = false;
      void done.finally(() => { settled = true; });
      let longest = 0, count = 0;
      while (!settled) {
        const started = performance.now();
        const res = await fetch(`${app.url}/login`);
        await res.text();
        expect(res.status).to.equal(200);
        longest = Math.max(longest, performance.now() - started);
        count++;
        await new Promise((r) => setTimeout(r, 20));
      }
      return { longest, count };
    }

    const cases: Array<[string, () => Buffer, string, [number, string, string]]> = [
      ['a CSV header of 200,000 columns', () => wideCsv(200_000), 'wide.csv', [1, `c${DATA_LIMITS.maxColumns - 2}`, 'TOO_MANY_COLUMNS']],
      ['a CSV of more rows than the limit', () => Buffer.from(`id,name\n${Array.from({ length: DATA_LIMITS.maxRows + 10 }, (_, k) => `v${k},第${k}村`).join('\n')}\n`), 'tall.csv', [DATA_LIMITS.maxRows + 2, '', 'TOO_MANY_ROWS']],
      ['an XLSX of more rows than the limit', () => tallXlsx(DATA_LIMITS.maxRows + 10), 'tall.xlsx', [DATA_LIMITS.maxRows + 2, '', 'TOO_MANY_ROWS']],
    ];
    for (const [what, make, name, problem] of cases) {
      it(`refuses ${what} by name while every other page answers within a second`, async function () {
        this.timeout(180_000);
        const bytes = make();
        expect(bytes.length).to.be.below(UPLOAD_LIMIT_BYTES);
        const sent = upload(admin, { period: '2044', track: 'village' }, [{ name, bytes }]);
        const [res, times] = await Promise.all([sent, loginTimes(sent)]);
        expect(res.status).to.equal(422);
        expect(reported(await res.text())).to.deep.equal([problem]);
        expect(times.count, 'asked for /login while the file was read').to.be.above(0);
        expect(times.longest, 'the longest /login (ms)').to.be.below(1000);
        expect(await getPeriod(app.db, '2044')).to.equal(undefined);
      });
    }

    it('lists the first 1,000 of 3,000 bad cells and counts them all, so that the report stays a page', async () => {
      const lines = syntheticVillagesCsv(3000, { seed: 5 }).trimEnd().split('\n');
      const at = lines[0].split(',').indexOf('population');
      const spoilt = [lines[0], ...lines.slice(1).map((l) => l.split(',').map((c, k) => (k === at ? 'abc' : c)).join(','))];
      const res = await upload(admin, { period: '2045', track: 'village' }, [{ name: 'bad.csv', bytes: Buffer.from(spoilt.join('\n')) }]);
      expect(res.status).to.equal(422);
      const html = await res.text();
      expect(reported(html)).to.have.length(1000);
      expect(html).to.contain('data-problems="3000"');
    });

    it('refuses the same files on the command line, with the same codes and exit code 2', function () {
      this.timeout(120_000);
      const dir = tempDir('appraisal-limits-');
      const config: Config = { databaseFile: path.join(dir, 'appraisal.sqlite'), port: 0, seed: 'demo' };
      writeFileSync(path.join(dir, 'wide.csv'), wideCsv(200_000));
      writeFileSync(path.join(dir, 'tall.xlsx'), tallXlsx(DATA_LIMITS.maxRows + 10));
      for (const [file, code] of [['wide.csv', 'TOO_MANY_COLUMNS'], ['tall.xlsx', 'TOO_MANY_ROWS']]) {
        const r = appraisalSync(config, ['import', '2044', path.join(dir, file)]);
        expect(r.code, r.stderr).to.equal(2);
        expect(r.stderr).to.contain(`[${code}]`);
      }
      expect(appraisalSync(config, ['runs']).code).to.equal(0);
    });
  });
});
