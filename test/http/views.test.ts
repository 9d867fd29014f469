import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createViews, Fragment, type PageParts } from '../../src/http/views.js';
import { tempDir } from '../support/temp.js';

/**
 * `{{{ }}}` outside the layout's body places only markup the server drew: a Fragment a
 * partial drew (escaped as everywhere) or SVG the server drew. A value that is text stays
 * escaped, even one that spells the comment a Fragment is placed by.
 */
describe('pages with a kept fragment', () => {
  const root = tempDir('appraisal-views-');
  for (const dir of ['layouts', 'pages', 'partials/t']) mkdirSync(path.join(root, dir), { recursive: true });
  writeFileSync(path.join(root, 'layouts', 'main.hbs'), '<main>{{{body}}}</main>');
  writeFileSync(path.join(root, 'pages', 'p.hbs'), '<h1>{{title}}</h1>{{{table}}}<p>{{title}}</p>');
  writeFileSync(path.join(root, 'partials', 't', 'table.hbs'), '<table>{{#each names}}<td>{{this}}</td>{{/each}}</table>');
  const views = createViews(root);
  const text = (page: string | PageParts) => (typeof page === 'string' ? page : Buffer.concat(page.parts.map((p) => (p instanceof Fragment ? p.bytes : p))).toString('utf8'));

  it('draws the fragment escaped, and places it where the page says, once', () => {
    const table = views.fragment('t/table', { names: ['<b>甲村</b>', '乙村'] });
    expect(table.bytes.toString('utf8')).to.equal('<table><td>&lt;b&gt;甲村&lt;/b&gt;</td><td>乙村</td></table>');
    expect(text(views.render('p', { title: '排名', table }))).to.equal(`<main><h1>排名</h1>${table.bytes.toString('utf8')}<p>排名</p></main>`);
  });

  it('keeps a text value escaped, even one that spells the comment a fragment is placed by', () => {
    const table = views.fragment('t/table', { names: ['甲村'] });
    const page = text(views.render('p', { title: '<!--fragment:x:0-->', table }));
    expect(page).to.contain('&lt;!--fragment:x:0--&gt;').and.not.to.contain('<!--fragment');
    expect(page.split('<table>')).to.have.length(2);
  });
});

describe('pages and their helpers', () => {
  const make = (page: string) => {
    const root = tempDir('appraisal-views-helpers-');
    for (const dir of ['layouts', 'pages', 'partials']) mkdirSync(path.join(root, dir), { recursive: true });
    writeFileSync(path.join(root, 'layouts', 'main.hbs'), '{{{body}}}');
    writeFileSync(path.join(root, 'pages', 'p.hbs'), page);
    return root;
  };

  it('refuses at start a page that calls a helper nobody registered, naming it', () => {
    expect(() => createViews(make('<p>{{shout title}}</p>'))).to.throw(/shout/);
  });

  it('reads a name that is no helper from the context, and calls the helpers it knows', () => {
    const views = createViews(make('<p>{{title}}{{#if late}}·{{fixed total 1}}{{/if}}{{#each names}}<b>{{this}}</b>{{/each}}</p>'));
    expect(views.render('p', { title: '<甲>', late: true, total: 96.25, names: ['乙'] })).to.equal('<p>&lt;甲&gt;·96.3<b>乙</b></p>');
  });
});
