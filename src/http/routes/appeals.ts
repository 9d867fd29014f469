import type { Request } from 'express';
import { getRun, listRuns, type RunRow } from '../../db/queries/runs.js';
import { getUnit } from '../../db/queries/units.js';
import { EVIDENCE_MAX_BYTES, EVIDENCE_MAX_FILES, EVIDENCE_TYPE_NAMES, sizeInWords, type EvidenceType, type EvidenceUpload } from '../../io/evidence.js';
import {
  AppealRefused, appealViews, fileAppeal, latestTakingAppeals, REASON_MAX_CHARS, whyNoAppeal, type AppealItem, type AppealView,
} from '../../services/appeals.js';
import { actorNames, type ActorName } from '../../services/actors.js';
import { assessmentTitle, listAssessments, unitKindOf } from '../../services/assessments.js';
import { periodTitle } from '../../services/period.js';
import { dateInWords, takesAppeals } from '../../services/review-period.js';
import { scorecardOf, seenByUnits, type OutlineBlock } from '../../services/scorecards.js';
import { notFound, type Context, type RouteSpec } from '../route.js';
import { urlOf } from '../url.js';

/**
 * A village's (or staff member's) appeals (申诉): its appeals with their state and answer, and
 * the form to appeal its result of a run under 公示 — the run given by ?run= (the scorecard's
 * banner links here with it) or its latest run under 公示.
 */

export const APPEAL_UPLOAD = { field: 'files', files: EVIDENCE_MAX_FILES, fileSize: EVIDENCE_MAX_BYTES, fields: 1000 };

function runParam(value: unknown): number | undefined {
  const n = Number(value);
  return typeof value === 'string' && /^\d{1,9}$/.test(value) && n > 0 ? n : undefined;
}

/** A form value that may come once or many times, as a list of strings (at most `max`). */
function many(value: unknown, max = 500): string[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((v): v is string => typeof v === 'string').slice(0, max);
}

/** A clause block of the scorecard's outline as checkboxes: the groups as on the scorecard, each clause with its score. */
type PickRow = { id: string; title: string; points: number; score: number | null; lost: number; checked: boolean };
type PickBlock = { group: { title: string; points: number; score: number | null; lost: number; open: boolean }; blocks: PickBlock[] } | { rows: PickRow[] };

/** Whether a block holds a clause already chosen (a form sent back with an error keeps it in view). */
const holdsChosen = (blocks: PickBlock[]): boolean => blocks.some((b) => ('group' in b ? holdsChosen(b.blocks) : b.rows.some((r) => r.checked)));

/** Folded on every screen (a rule set has a hundred clauses) but where the unit lost points or a clause is chosen. */
function pickOutline(blocks: OutlineBlock[], chosen: Set<string>): PickBlock[] {
  return blocks.map((b) => {
    if (!('group' in b)) {
      return { rows: b.rows.filter((r) => r.kind === 'criterion').map((r) => ({ id: r.id, title: r.title, points: r.points, score: r.score, lost: r.lost, checked: chosen.has(`clause:${r.id}`) })) };
    }
    const inner = pickOutline(b.blocks, chosen);
    return { group: { title: b.group.title, points: b.group.points, score: b.group.score, lost: b.group.lost, open: b.group.lost > 0 || holdsChosen(inner) }, blocks: inner };
  });
}

/** An appeal as the unit's own page lists it. */
export function appealLines(appeals: AppealView[], actor: ActorName, base: string) {
  return appeals.map((a) => ({
    id: a.id, stateName: a.stateName, status: a.status, periodTitle: a.periodTitle, runId: a.run_id, reason: a.reason, answer: a.answer,
    filedAt: a.filed_at, filedBy: actor(a.filed_by), answeredAt: a.answered_at, answeredBy: actor(a.answered_by),
    items: a.itemList.map((i) => i.title), precision: a.ruleset.precision,
    files: a.files.map((f) => ({ name: f.file_name, size: sizeInWords(f.size), type: EVIDENCE_TYPE_NAMES[f.media_type as EvidenceType] ?? '', href: urlOf(['appeals', a.id, 'files', f.id]) })),
    corrected: a.correction_run_id !== null, base,
  }));
}

interface FormState { chosen: Set<string>; reason: string; error?: string; }

/** An assessment's title as the run it names is said (村级千分考核结果, 安全生产考核结果), or 考核 for none. */
function assessmentWords(title: string | undefined): string {
  return !title ? '考核' : title.endsWith('考核') ? title : `${title}考核`;
}

/** Whether a run is of an assessment of this kind of unit (村级千分考核, 党建, 安全生产, 综合考核 … alike). */
async function ofKind(ctx: Context, run: RunRow, kind: 'village' | 'staff'): Promise<boolean> {
  return (await unitKindOf(ctx.db, run.track)) === kind;
}

async function renderUnitAppeals(req: Request, ctx: Context, param: string, kind: 'village' | 'staff', form: FormState, status = 200): Promise<void> {
  const unitId = req.params[param] as string;
  const unit = await getUnit(ctx.db, unitId);
  if (!unit) throw notFound('单位');
  const base = kind === 'staff' ? 'staff' : 'units';
  const asked = runParam(req.method === 'POST' ? req.body?.run : req.query.run);
  let run: RunRow | undefined;
  let note: string | null = null;
  if (asked !== undefined) {
    const found = await getRun(ctx.db, asked);
    // A draft is no result a unit has seen: as if there were no such run.
    if (found && seenByUnits(found) && await ofKind(ctx, found, kind)) run = found;
    else note = `没有第${asked}号考核的结果可以申诉`;
  } else {
    const tracks = new Set((await listAssessments(ctx.db)).filter((a) => a.unit_kind === kind).map((a) => a.id));
    run = latestTakingAppeals(await listRuns(ctx.db), tracks);
    if (!run) note = '目前没有公示中的考核结果，无需申诉。';
  }
  if (run && !note) note = whyNoAppeal(run);
  const mayFile = ctx.user!.role === kind;
  let picking: Record<string, unknown> | null = null;
  if (run && !note) {
    const card = await scorecardOf(ctx.db, unitId, { runId: run.id, withDrafts: false, track: run.track });
    if (!card) note = `第${run.id}号考核中没有${unit.name}的结果`;
    else if (mayFile) {
      const inputs = card.ruleset.inputs.filter((i) => !i.link && i.type !== 'events').map((i) => {
        const v = card.result.inputs?.[i.name];
        const value = v === undefined || v === null || v === '' ? '未填' : typeof v === 'boolean' ? (v ? '是' : '否') : `${String(v)}${i.unit ?? ''}`;
        return { name: i.name, label: i.label, value, checked: form.chosen.has(`input:${i.name}`) };
      });
      picking = {
        runId: run.id, outline: pickOutline(card.outline, form.chosen), inputs, inputChosen: inputs.some((i) => i.checked), reason: form.reason, precision: card.ruleset.precision,
        deadline: run.review_until ? dateInWords(run.review_until) : '', periodTitle: periodTitle(run.period_id),
        maxFiles: EVIDENCE_MAX_FILES, maxMb: EVIDENCE_MAX_BYTES / 1024 / 1024, maxChars: REASON_MAX_CHARS,
        action: urlOf([base, unitId, 'appeals']),
      };
    }
  }
  const views = await appealViews(ctx.db, { unitId });
  const actor = await actorNames(ctx.db, views.flatMap((a) => [a.filed_by, a.answered_by]));
  ctx.render('appeals-unit', {
    title: `${unit.name} 申诉`, unit, base, note: picking || mayFile ? note : null, picking, error: form.error,
    // Which of the unit's assessments (村级千分考核, 党建 …): a village may have several under 公示 at once.
    runTitle: run ? `${periodTitle(run.period_id)}${assessmentWords(await assessmentTitle(ctx.db, run.track))}结果（第${run.id}号）` : null, runId: run?.id,
    appeals: appealLines(views, actor, base),
    scorecardHref: urlOf([base, unitId], run ? { run: run.id } : {}),
    viewOnly: !mayFile, underReview: run ? takesAppeals(run) : false,
  }, status);
}

function unitAppealRoutes(path: string, param: string, kind: 'village' | 'staff'): RouteSpec[] {
  return [
    {
      method: 'get', path, access: ['admin', 'leader', kind], ownUnit: param,
      handle: async (req, _res, ctx) => renderUnitAppeals(req, ctx, param, kind, { chosen: new Set(), reason: '' }),
    },
    {
      method: 'post', path, access: [kind], ownUnit: param, upload: APPEAL_UPLOAD,
      handle: async (req, res, ctx) => {
        const unitId = req.params[param] as string;
        const items: AppealItem[] = [
          ...many(req.body.clause).map((id) => ({ kind: 'clause' as const, id })),
          ...many(req.body.input).map((id) => ({ kind: 'input' as const, id })),
        ];
        // A file field left empty still sends a part with no name and no bytes: that is no file.
        const files: EvidenceUpload[] = ((req.files as Express.Multer.File[] | undefined) ?? [])
          .filter((f) => f.originalname !== '' || f.size > 0)
          .map((f) => ({ name: f.originalname, content: f.buffer }));
        const runId = runParam(req.body.run);
        const reason = typeof req.body.reason === 'string' ? req.body.reason.slice(0, REASON_MAX_CHARS * 2) : '';
        try {
          if (runId === undefined) throw new AppealRefused('RUN_NOT_FOUND', '请从本村的申诉页面提交申诉');
          const run = await getRun(ctx.db, runId);
          if (!run || !(await ofKind(ctx, run, kind))) throw new AppealRefused('RUN_NOT_FOUND', `没有第${runId}号考核的结果可以申诉`);
          const appeal = await fileAppeal(ctx.db, { runId, unitId, items, reason, files, by: ctx.user!.username });
          req.session.flash = `已提交第${appeal.id}号申诉${files.length ? `（附材料 ${files.length} 个）` : ''}，乡镇答复后会在这里和消息中告知。`;
          res.redirect(303, urlOf([kind === 'staff' ? 'staff' : 'units', unitId, 'appeals'], { run: runId }));
        } catch (e) {
          if (!(e instanceof AppealRefused)) throw e;
          const chosen = new Set(items.map((i) => `${i.kind}:${i.id}`));
          await renderUnitAppeals(req, ctx, param, kind, { chosen, reason, error: `未提交：${e.message}` }, 400);
        }
      },
    },
  ];
}

export const appealRoutes: RouteSpec[] = [
  ...unitAppealRoutes('/units/:unitId/appeals', 'unitId', 'village'),
  ...unitAppealRoutes('/staff/:staffId/appeals', 'staffId', 'staff'),
];
