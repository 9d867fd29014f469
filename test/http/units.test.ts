import { expect } from 'chai';
import { createRun, listRuns, publishRun, runResults } from '../../src/services/runs.js';
import { signedIn, startApp, type Client, type TestApp } from '../support/web.js';

/**
 * A village's scorecard while runs are published and corrected: what follows from a run's
 * results is kept, but which runs a reader sees (and may see) is as it is now.
 */

const trendOf = (html: string) => {
  const section = html.slice(html.indexOf('<h2>历年情况</h2>'));
  return html.includes('<h2>历年情况</h2>') ? [...section.slice(0, section.indexOf('</table>')).matchAll(/<tr><td>(\d{4})年度<\/td>/g)].map((m) => m[1]) : [];
};
const runsOffered = (html: string) => [...html.matchAll(/<option value="(\d+)"/g)].map((m) => Number(m[1]));

describe('a village’s scorecard, kept and read again', function () {
  this.timeout(60_000);
  let app: TestApp;
  let leader: Client;
  let village: Client;
  let draft: number;
  let published: number;

  before(async () => {
    app = await startApp();
    leader = await signedIn(app.url, 'leader');
    village = await signedIn(app.url, 'v01');
    const runs = await listRuns(app.db);
    draft = runs.find((r) => r.track === 'village' && r.status === 'draft')!.id;
    published = runs.find((r) => r.track === 'village' && r.status === 'published')!.id;
  });
  after(async () => { await app?.close(); });

  it('tells the village a veto put last that it stands there because of the veto, not by a negative gap (issue 18, item 6)', async () => {
    // In the demo's 2024 draft a village with 731.6 points is vetoed and ranks below one with 659.5.
    const units = (await runResults(app.db, draft)).units;
    const vetoed = units.find((u) => u.vetoed && units.some((o) => o.rank < u.rank && o.total < u.total));
    expect(vetoed, 'a vetoed village ranked below a lower total').not.to.equal(undefined);
    const page = (await leader.get(`/units/${vetoed!.id}?run=${draft}`)).text;
    // It is the last of its township: told so (因一票否决列最后), not that it stands below the village above.
    expect(page).to.contain('因一票否决列最后');
    expect(page).not.to.match(/−-|−−/);
  });

  it('counts staff as people and leaves out a role that is not known: 共 26 人, no empty brackets', async () => {
    const page = (await leader.get('/staff/s01')).text;
    expect(page).to.match(/共 \d+ 人<\/small>/);
    expect(page).not.to.contain('个单位</small>');
    expect(page).not.to.match(/（）/);
  });

  it('never shows a village a draft or another’s card that the leader has read before', async () => {
    expect((await leader.get(`/units/v01?run=${draft}`)).status).to.equal(200);
    expect((await leader.get(`/units/v02?run=${published}`)).status).to.equal(200);
    expect((await village.get(`/units/v01?run=${draft}`)).status).to.equal(404);
    const other = await village.get(`/units/v02?run=${published}`);
    expect(other.status).to.equal(404);
    expect(other.text).not.to.contain('双塘村');
    const own = await village.get(`/units/v01?run=${published}`);
    expect(own.status).to.equal(200);
    expect(own.text).to.contain('枫林村').and.to.contain('枫林村村支两委').and.not.to.contain('枫林镇领导');
  });

  it('shows each unit its own figures and reasons, whichever card was drawn first', async () => {
    const { units } = await runResults(app.db, published);
    const figure = (html: string, label: string) => new RegExp(`<span class="label">${label}</span><span class="value">([^<]*)</span>`).exec(html)![1];
    for (const id of ['v05', 'v06', 'v05']) {
      const page = (await leader.get(`/units/${id}?run=${published}`)).text;
      const result = units.find((u) => u.id === id)!;
      expect(figure(page, '总分'), id).to.equal(result.total.toFixed(1));
      expect(figure(page, '排名'), id).to.equal(String(result.rank));
      expect(page).to.contain(`<h1>${result.name} · 2023年度记分卡</h1>`);
    }
    const [five, six] = await Promise.all(['v05', 'v06'].map(async (id) => (await leader.get(`/units/${id}?run=${published}`)).text));
    // The period as a township writes it, in the heading, the choice of runs and the trend; villages counted as units.
    expect(five).to.match(/<option value="\d+"[^>]*>2023年度（第\d+号，/);
    expect(five).to.contain('个单位</small>');
    expect(five).not.to.match(/（）/);
    // The figure behind a clause with its unit, rounded as its reason is; lost points at the rule set's precision.
    expect(five).to.match(/data-label="数据">\d+(\.\d{1,2})?‰<\/td>/);
    expect(five).to.match(/data-label="数据">\d+(\.\d{1,2})?%<\/td>/);
    const lost = [...five.matchAll(/data-label="失分">([^<]+)<\/td>/g)].map((m) => m[1]);
    expect(lost.length).to.be.greaterThan(0);
    for (const l of lost) expect(l).to.match(/^\d+\.\d$/);
    const reasons = (html: string) => [...html.matchAll(/<td class="why">([^<]*)<\/td>/g)].map((m) => m[1]);
    expect(reasons(five)).not.to.deep.equal(reasons(six));
  });

  it('adds a run to the village’s list and trend once it is published, and shows its correction in its place', async () => {
    const before = (await village.get('/units/v01')).text;
    expect(runsOffered(before)).to.deep.equal([published]);
    expect(trendOf(before)).to.deep.equal(['2023']);

    await publishRun(app.db, draft, 'test');
    const after = (await village.get('/units/v01')).text;
    expect(runsOffered(after)).to.deep.equal([draft, published]);
    expect(trendOf(after)).to.deep.equal(['2023', '2024']);
    expect(after).to.contain(`第${draft}号考核（公示中）`);

    const correction = await createRun(app.db, { periodId: '2024', by: 'test', corrects: draft, note: '复核更正' });
    expect(runsOffered((await village.get('/units/v01')).text)).to.deep.equal([draft, published]);
    await publishRun(app.db, correction.id, 'test');
    const corrected = (await village.get('/units/v01')).text;
    expect(runsOffered(corrected)[0]).to.equal(correction.id);
    expect(runsOffered(corrected)).to.include(published);
    expect(trendOf(corrected)).to.deep.equal(['2023', '2024']);
    expect(corrected).to.contain(`第${correction.id}号考核（公示中）`);
  });
});
