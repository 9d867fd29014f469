import type { Request, Response } from 'express';
import { shortHash } from '../helpers/index.js';
import { listRuleVersions, type RuleVersionRow } from '../../db/queries/rule-versions.js';
import { RuleFileInvalid, type RuleProblem } from '../../engine/index.js';
import { documentLines, ruleDocument } from '../../report/rule-document.js';
import {
  checkEditedSource, findVersion, labelEdit, normaliseSource, previewEdit, ruleSetVersions, saveEditedSource, sideBySide, type EditPreview,
} from '../../services/rule-edit.js';
import { compiledVersion } from '../../services/rule-versions.js';
import { STATUS, type UnitChange } from '../../services/runs.js';
import { HttpError, notFound, type Context, type RouteSpec } from '../route.js';
import { urlOf } from '../url.js';
import { allAssessments } from '../../services/assessments.js';
import { actorNames } from '../../services/actors.js';
import { periodTitle } from '../../services/period.js';

/** The assessments scored by a rule set, by title (村级千分考核、安全生产专项考核). */
async function usedBy(ctx: Context, rulesetId: string): Promise<string> {
  return (await allAssessments(ctx.db)).filter((a) => a.ruleset_id === rulesetId && !a.disabled_at).map((a) => a.title).join('、');
}

/** The rule sets (考核细则): versions, the printable document, diffs, the editor with its preview. */

/** Far larger than any real rule file (the shipped one is ~30 KB); the body parser caps the bytes too. */
const MAX_SOURCE_CHARS = 1_000_000;

const short = shortHash;

/** The rule set named in the path, as its newest stored version; anything else is not found. */
async function ruleSet(req: Request, ctx: Context): Promise<RuleVersionRow> {
  const id = req.params.rulesetId;
  if (typeof id !== 'string' || id.length > 100 || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) throw notFound('规则集');
  const newest = await findVersion(ctx.db, id, 'latest');
  if (!newest) throw notFound('规则集');
  return newest;
}

/** A version named by `latest` or its full sha256, of this rule set only. */
async function version(ctx: Context, rulesetId: string, ref: unknown): Promise<RuleVersionRow> {
  const row = typeof ref === 'string' ? await findVersion(ctx.db, rulesetId, ref.toLowerCase()) : undefined;
  if (!row) throw notFound('规则版本');
  return row;
}

/** The posted rule text, as bytes a file would hold. */
function postedSource(req: Request): string {
  const source = req.body?.source;
  if (typeof source !== 'string' || !source.trim()) throw new HttpError(400, '请填写规则内容', 'SOURCE_REQUIRED');
  if (source.length > MAX_SOURCE_CHARS) throw new HttpError(413, '规则内容过长', 'TOO_LARGE');
  return normaliseSource(source);
}

/** The document's and the pretty-printed JSON's lines of a version. */
async function versionTexts(ctx: Context, row: RuleVersionRow): Promise<{ doc: string[]; json: string[] }> {
  const { ruleset } = await compiledVersion(ctx.db, row.sha256);
  return { doc: documentLines(ruleDocument(ruleset)), json: JSON.stringify(JSON.parse(row.source), null, 2).split('\n') };
}

/** The source with its line numbers, each line carrying the problems found on it. */
function numberedSource(source: string, problems: RuleProblem[]) {
  const lines = source.split('\n').map((text, k) => ({ no: k + 1, text, problems: [] as RuleProblem[] }));
  for (const p of problems) lines[Math.min(Math.max(p.line, 1), lines.length) - 1].problems.push(p);
  return lines;
}

const summary = (s?: UnitChange['before']) => s && ({
  ...s, sanctionText: s.sanctions.join('、') || '—', vetoText: s.vetoed ? '否决' : '—',
});

/** Each unit the edit touches, as a row of the preview table. */
function changeRows(changes: UnitChange[]) {
  return changes.map((c) => {
    const move = c.before && c.after ? c.before.rank - c.after.rank : 0;
    return {
      ...c, before: summary(c.before), after: summary(c.after), text: c.changes.join('；'),
      move: move > 0 ? `↑${move}` : move < 0 ? `↓${-move}` : '', direction: move > 0 ? 'up' : move < 0 ? 'down' : '',
      vetoChange: c.before && c.after && c.before.vetoed !== c.after.vetoed ? (c.after.vetoed ? 'gained' : 'lost') : '',
    };
  });
}

function previewData(p: EditPreview) {
  return {
    ...p, rows: changeRows(p.changes), statusName: p.run ? STATUS[p.run.status] : '', runPeriod: p.run ? periodTitle(p.run.period_id) : '', ruleShort: p.runRules ? short(p.runRules.sha256) : '',
  };
}

interface EditorState {
  source: string; problems?: RuleProblem[]; warnings?: RuleProblem[]; preview?: ReturnType<typeof previewData>; docDiff?: ReturnType<typeof sideBySide>;
  /** The label the edit was given because it kept the old one. */
  relabelled?: { from: string; to: string } | null;
}

async function renderEditor(ctx: Context, newest: RuleVersionRow, state: EditorState, status = 200): Promise<void> {
  const problems = state.problems ?? [];
  const actor = await actorNames(ctx.db, [newest.imported_by]);
  ctx.render('rules-edit', {
    title: `编辑 ${newest.title}`, rulesetId: newest.ruleset_id, newest: { ...newest, short: short(newest.sha256), importedBy: actor(newest.imported_by) },
    source: state.source, problems, warnings: state.warnings ?? [],
    lines: problems.length ? numberedSource(state.source, problems) : null,
    preview: state.preview, docDiff: state.docDiff, relabelled: state.relabelled ?? null,
  }, status);
}

export const ruleRoutes: RouteSpec[] = [
  {
    method: 'get', path: '/rules', access: ['admin', 'leader'],
    handle: async (_req, _res, ctx) => {
      const rows = await listRuleVersions(ctx.db);
      const actor = await actorNames(ctx.db, rows.map((r) => r.imported_by));
      const sets = new Map<string, { id: string; title: string; subjectName: string; versions: Array<Record<string, unknown>> }>();
      for (const [k, r] of rows.entries()) {
        let set = sets.get(r.ruleset_id);
        if (!set) sets.set(r.ruleset_id, (set = { id: r.ruleset_id, title: r.title, subjectName: await usedBy(ctx, r.ruleset_id), versions: [] }));
        // Rows come newest first within a rule set, so the next row is the version this one replaced.
        const older = rows[k + 1]?.ruleset_id === r.ruleset_id ? rows[k + 1].sha256 : null;
        set.versions.push({ ...r, short: short(r.sha256), older, newest: set.versions.length === 0, importedBy: actor(r.imported_by) });
      }
      ctx.render('rules', { title: '考核细则', sets: [...sets.values()], isAdmin: ctx.user?.role === 'admin' });
    },
  },
  {
    method: 'get', path: '/rules/:rulesetId/v/:sha', access: ['admin', 'leader'],
    handle: async (req, _res, ctx) => {
      const newest = await ruleSet(req, ctx);
      const row = await version(ctx, newest.ruleset_id, req.params.sha);
      const { ruleset } = await compiledVersion(ctx.db, row.sha256);
      const versions = await ruleSetVersions(ctx.db, row.ruleset_id);
      const k = versions.findIndex((v) => v.sha256 === row.sha256);
      ctx.render('rules-document', {
        title: row.title, row: { ...row, short: short(row.sha256), importedBy: (await actorNames(ctx.db, [row.imported_by]))(row.imported_by) }, doc: ruleDocument(ruleset),
        older: versions[k + 1]?.sha256 ?? null, isNewest: row.sha256 === newest.sha256, isAdmin: ctx.user?.role === 'admin',
        subjectName: await usedBy(ctx, row.ruleset_id),
      });
    },
  },
  {
    method: 'get', path: '/rules/:rulesetId/diff', access: ['admin', 'leader'],
    handle: async (req, _res, ctx) => {
      const newest = await ruleSet(req, ctx);
      const versions = await ruleSetVersions(ctx.db, newest.ruleset_id);
      // Without a pair named, the newest version against the one it replaced.
      const b = req.query.b !== undefined ? await version(ctx, newest.ruleset_id, req.query.b) : newest;
      const olderThanB = versions[versions.findIndex((v) => v.sha256 === b.sha256) + 1]?.sha256 ?? b.sha256;
      const a = req.query.a !== undefined ? await version(ctx, newest.ruleset_id, req.query.a) : await version(ctx, newest.ruleset_id, olderThanB);
      const [ta, tb] = await Promise.all([versionTexts(ctx, a), versionTexts(ctx, b)]);
      const actor = await actorNames(ctx.db, [a.imported_by, b.imported_by]);
      ctx.render('rules-diff', {
        title: `${newest.title} 版本比较`, rulesetId: newest.ruleset_id,
        a: { ...a, short: short(a.sha256), importedBy: actor(a.imported_by), label: `版本 ${a.version} · ${short(a.sha256)}` },
        b: { ...b, short: short(b.sha256), importedBy: actor(b.imported_by), label: `版本 ${b.version} · ${short(b.sha256)}` },
        versions: versions.map((v) => ({ ...v, short: short(v.sha256), isA: v.sha256 === a.sha256, isB: v.sha256 === b.sha256 })),
        docDiff: sideBySide(ta.doc, tb.doc), jsonDiff: sideBySide(ta.json, tb.json),
        onlyOne: versions.length < 2,
      });
    },
  },
  {
    method: 'get', path: '/rules/:rulesetId/edit', access: ['admin'],
    handle: async (req, _res, ctx) => {
      const newest = await ruleSet(req, ctx);
      await renderEditor(ctx, newest, { source: newest.source });
    },
  },
  {
    method: 'post', path: '/rules/:rulesetId/preview', access: ['admin'],
    handle: async (req, _res, ctx) => {
      const newest = await ruleSet(req, ctx);
      const source = postedSource(req);
      const checked = checkEditedSource(source, newest);
      if (!checked.ok) return await renderEditor(ctx, newest, { source, problems: checked.problems, warnings: checked.warnings }, 422);
      const labelled = await labelEdit(ctx.db, source, checked, newest);
      if (!labelled.ok) return await renderEditor(ctx, newest, { source, problems: labelled.problems, warnings: labelled.warnings }, 422);
      const preview = previewData(await previewEdit(ctx.db, labelled.ruleset));
      const before = (await versionTexts(ctx, newest)).doc;
      const docDiff = sideBySide(before, documentLines(ruleDocument(labelled.ruleset)));
      await renderEditor(ctx, newest, { source: labelled.source, warnings: labelled.warnings, preview, docDiff, relabelled: labelled.relabelled });
    },
  },
  {
    method: 'post', path: '/rules/:rulesetId', access: ['admin'],
    handle: async (req, res: Response, ctx) => {
      const newest = await ruleSet(req, ctx);
      const source = postedSource(req);
      const checked = checkEditedSource(source, newest);
      if (!checked.ok) return await renderEditor(ctx, newest, { source, problems: checked.problems, warnings: checked.warnings }, 422);
      const labelled = await labelEdit(ctx.db, source, checked, newest);
      if (!labelled.ok) return await renderEditor(ctx, newest, { source, problems: labelled.problems, warnings: labelled.warnings }, 422);
      let saved: Awaited<ReturnType<typeof saveEditedSource>>;
      try {
        saved = await saveEditedSource(ctx.db, labelled.source, labelled.ruleset, labelled.warnings, ctx.user!.username);
      } catch (e) {
        // The label was taken by a version saved meanwhile.
        if (!(e instanceof RuleFileInvalid)) throw e;
        return await renderEditor(ctx, newest, { source: labelled.source, problems: e.problems, warnings: labelled.warnings }, 422);
      }
      const { sha, existed } = saved;
      const relabelled = labelled.relabelled ? `（版本号未修改，已由 ${labelled.relabelled.from} 改为 ${labelled.relabelled.to}）` : '';
      // Versions are stored by their bytes, so an older text cannot be saved again as the newest.
      req.session.flash = !existed ? `已保存为新版本 ${labelled.ruleset.version}${relabelled}`
        : sha === newest.sha256 ? `内容与现行版本（${short(sha)}）完全相同，未另存新版本`
          : `内容与旧版本（${short(sha)}）完全相同，未另存新版本；如要恢复该版本，请修改版本号（version）后再保存`;
      res.redirect(303, urlOf(['rules', newest.ruleset_id, 'v', sha]));
    },
  },
];
