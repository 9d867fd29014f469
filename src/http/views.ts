import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { helpers } from './helpers/index.js';

/**
 * Server-side pages: views/pages/<name>.hbs rendered into views/layouts/main.hbs, with
 * every views/partials/**.hbs as a partial named by its path ("ranking/table").
 * Templates are compiled once. `{{ }}` escapes; `{{{ }}}` is only for the page body and
 * for SVG the server drew itself.
 */
export interface Views {
  render(page: string, context: Record<string, unknown>): string;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : name.endsWith('.hbs') ? [full] : [];
  });
}

export function createViews(root: string): Views {
  const hbs = Handlebars.create();
  for (const [name, fn] of Object.entries(helpers)) hbs.registerHelper(name, fn);
  const partials = path.join(root, 'partials');
  for (const file of walk(partials)) {
    const name = path.relative(partials, file).replace(/\\/g, '/').replace(/\.hbs$/, '');
    hbs.registerPartial(name, readFileSync(file, 'utf8'));
  }
  const compile = (file: string) => hbs.compile(readFileSync(file, 'utf8'), { strict: false });
  const layout = compile(path.join(root, 'layouts', 'main.hbs'));
  const pages = new Map<string, HandlebarsTemplateDelegate>();
  for (const file of walk(path.join(root, 'pages'))) {
    pages.set(path.relative(path.join(root, 'pages'), file).replace(/\\/g, '/').replace(/\.hbs$/, ''), compile(file));
  }
  return {
    render(page, context) {
      const template = pages.get(page);
      if (!template) throw new Error(`no view “${page}”`);
      return layout({ ...context, body: template(context) });
    },
  };
}
