import { expect } from 'chai';
import { engineTask } from '../../bench/tasks/engine.js';

/**
 * The benchmark compares five ways of scoring the same 40-criterion rule set; its times
 * mean something only if all five rank the same units the same way. Timing is not
 * asserted (a benchmark, not a timed test): the agreement is.
 */
describe('the engine benchmark', () => {
  it('gets identical rankings from the engine, the hand-written function, json-logic and json-rules-engine', async function () {
    this.timeout(120_000);
    const { contestants } = await engineTask({ size: 300, quick: true });
    expect(contestants.map((c) => c.name)).to.deep.equal(['engine', 'engineScoreRank', 'handWritten', 'jsonLogic', 'jsonRulesEngine']);
    const [engine, ...peers] = contestants;
    for (const peer of peers) expect(peer.checksum, peer.name).to.deep.equal(engine.checksum);
    // The growth table sets each contestant's pages touched afresh beside its time.
    for (const c of contestants) expect(c.pageFaultsPerPass, c.name).to.be.a('number').and.at.least(0);
    // The growth rounds measure the engine alone, on other data at another size.
    const alone = await engineTask({ size: 301, quick: true, only: ['engine'] });
    expect(alone.contestants.map((c) => c.name)).to.deep.equal(['engine']);
    expect(alone.contestants[0].checksum).to.not.deep.equal(engine.checksum);
  });
});
