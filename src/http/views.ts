import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import Handlebars from 'handlebars';
import { helpers } from './helpers/index.js';

/**
 * Server-side pages: views/pages/<name>.hbs rendered into views/layouts/main.hbs, with
 * every views/partials/**.hbs as a partial named by its path ("ranking/table").
 * Templates are compiled once. `{{ }}` escapes; `{{{ }}}` is only for the page body, for
 * SVG the server drew itself, and for a Fragment these templates drew.
 */
export interface Views {
  /** A page in the layout: text, or its parts when the context holds a Fragment the page places. */
  render(page: string, context: Record<string, unknown>): string | PageParts;
  /** One partial drawn on its own (escaped as everywhere), kept as the bytes a page sends. */
  fragment(partial: string, context: Record<string, unknown>): Fragment;
}

/**
 * Markup drawn once by these templates and kept as UTF-8 bytes. A page places it with
 * `{{{name}}}` (a top-level key of its context) and is then sent as its own bytes around
 * these: a large table is neither drawn nor encoded again for each reader.
 */
export class Fragment {
  /** What the bytes contribute to a page's entity tag, worked out once. */
  readonly digest: string;
  constructor(readonly bytes: Buffer) {
    this.digest = createHash('sha1').update(bytes).digest('base64');
  }
}

/**
 * A page as what to send in order (its own text as bytes, and the fragments it places as
 * they are kept), its length in bytes, and a weak entity tag that changes with any of them.
 */
export interface PageParts { parts: Array<Buffer | Fragment>; length: number; etag: string; }

function pageParts(texts: string[], placed: Fragment[]): PageParts {
  const parts: Array<Buffer | Fragment> = [];
  const hash = createHash('sha1');
  let length = 0;
  // The text and the fragment numbers alternate (split() with a group): text, number, text, …
  texts.forEach((piece, k) => {
    if (k % 2 === 1) {
      const fragment = placed[Number(piece)];
      parts.push(fragment);
      hash.update(`\0${fragment.digest}\0`);
      length += fragment.bytes.length;
    } else if (piece !== '') {
      const bytes = Buffer.from(piece, 'utf8');
      parts.push(bytes);
      hash.update(bytes);
      length += bytes.length;
    }
  });
  return { parts, length, etag: `W/"${length.toString(16)}-${hash.digest('base64').slice(0, 27)}"` };
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : name.endsWith('.hbs') ? [full] : [];
  });
}

/**
 * Every helper a template may call is known when it is compiled (Handlebars' own and ours), and no
 * other: `{{name}}` then compiles to reading the context's `name` rather than first looking for a
 * helper of that name at every use, and a misspelt helper is an error at start rather than a blank.
 */
const COMPILE: Parameters<typeof Handlebars.compile>[1] = {
  strict: false,
  knownHelpersOnly: true,
  knownHelpers: Object.fromEntries(Object.keys(helpers).map((name) => [name, true])),
};

/** The views of each folder, made once a process: every template is compiled at start (a tenth of a second), and an app made again (each test's) finds them made. */
const made = new Map<string, Views>();

export function createViews(root: string): Views {
  let views = made.get(root);
  if (!views) made.set(root, (views = makeViews(root)));
  return views;
}

function makeViews(root: string): Views {
  const hbs = Handlebars.create();
  for (const [name, fn] of Object.entries(helpers)) hbs.registerHelper(name, fn);
  // Handlebars compiles a template when it is first drawn: precompiled here as well, so that a template it cannot
  // compile (a helper nobody registered) stops the start, not a page in use.
  const compileNow = (source: string) => {
    hbs.precompile(source, COMPILE);
    return hbs.compile(source, COMPILE);
  };
  const partials = path.join(root, 'partials');
  const partialSources = new Map<string, string>();
  for (const file of walk(partials)) {
    const name = path.relative(partials, file).replace(/\\/g, '/').replace(/\.hbs$/, '');
    partialSources.set(name, readFileSync(file, 'utf8'));
    hbs.registerPartial(name, compileNow(partialSources.get(name)!));
  }
  const compile = (file: string) => compileNow(readFileSync(file, 'utf8'));
  const fragments = new Map<string, HandlebarsTemplateDelegate>();
  const layout = compile(path.join(root, 'layouts', 'main.hbs'));
  const pages = new Map<string, HandlebarsTemplateDelegate>();
  for (const file of walk(path.join(root, 'pages'))) {
    pages.set(path.relative(path.join(root, 'pages'), file).replace(/\\/g, '/').replace(/\.hbs$/, ''), compile(file));
  }
  // Where a page placed a fragment: a comment no escaped value can spell (its < is escaped), with a nonce of this process.
  const nonce = randomUUID();
  const marker = new RegExp(`<!--fragment:${nonce}:(\\d+)-->`);
  return {
    render(page, context) {
      const template = pages.get(page);
      if (!template) throw new Error(`no view “${page}”`);
      const placed: Fragment[] = [];
      const locals = { ...context };
      for (const [key, value] of Object.entries(locals)) {
        if (value instanceof Fragment) locals[key] = `<!--fragment:${nonce}:${placed.push(value) - 1}-->`;
      }
      const html = layout({ ...locals, body: template(locals) });
      return placed.length === 0 ? html : pageParts(html.split(marker), placed);
    },
    fragment(partial, context) {
      let template = fragments.get(partial);
      if (!template) {
        const source = partialSources.get(partial);
        if (source === undefined) throw new Error(`no partial “${partial}”`);
        fragments.set(partial, (template = compileNow(source)));
      }
      return new Fragment(Buffer.from(template(context), 'utf8'));
    },
  };
}
