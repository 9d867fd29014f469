import { expect } from 'chai';
import path from 'node:path';
import { createViews } from '../../src/http/views.js';
import { urlOf } from '../../src/http/url.js';
import { ROOT } from '../../src/paths.js';

/** Issue 17, item 7: the one way a URL is made from data, and the {{url}} helper that places it in a page. */

const IDS = ['a/b', 'x?y=1', '50%', '<b>', '村 一', 'v01#2', "it's", '"q"', 'a+b&c=d;e', '%2e%2e', '`x`', ' lead'];

describe('urlOf and the {{url}} helper (issue 17, item 7)', () => {
  it('keeps each id one path segment that decodes back to exactly that id', () => {
    for (const id of IDS) {
      const url = new URL(urlOf(['units', id, 'export.csv'], { run: 3 }), 'http://x');
      const segments = url.pathname.split('/');
      expect(segments, id).to.have.length(4);
      expect(decodeURIComponent(segments[2]), id).to.equal(id);
      expect(segments[3]).to.equal('export.csv');
      expect(url.searchParams.get('run')).to.equal('3');
      expect(url.hash).to.equal('');
    }
  });

  it('writes query values and a fragment so that they read back as given, leaving out null and undefined', () => {
    const url = new URL(urlOf(['entry'], { period: '2024', track: 'a&b=c', missing: undefined, none: null, unit: '村 一#' }, 'unit-a/b#c'), 'http://x');
    expect([...url.searchParams.entries()]).to.deep.equal([['period', '2024'], ['track', 'a&b=c'], ['unit', '村 一#']]);
    expect(decodeURIComponent(url.hash.slice(1))).to.equal('unit-a/b#c');
  });

  it('leaves no character that could end an attribute or open an element', () => {
    for (const id of IDS) expect(urlOf(['units', id], { q: id }, id), id).not.to.match(/[<>"'`\s]/);
  });

  it('places a link in a page with its segments encoded and only its & escaped', () => {
    const views = createViews(path.join(ROOT, 'views'));
    const html = views.fragment('ranking/table', {
      unitBase: 'units', run: { id: 7 }, precision: 1, groups: [], parents: [],
      units: IDS.map((id) => ({ id, name: id, rank: 1, total: 1, groupScores: [], sanctions: [], vetoes: [] })),
    }).bytes.toString('utf8');
    for (const id of IDS) {
      const href = `/units/${encodeURIComponent(id).replace(/'/g, '%27')}?run=7`;
      expect(html, id).to.contain(`<a href="${href}" data-unit=`);
    }
  });
});
