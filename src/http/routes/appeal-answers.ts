import type { Request } from 'express';
import { appealFile } from '../../db/queries/appeals.js';
import { EVIDENCE_TYPE_NAMES, sizeInWords, type EvidenceType } from '../../io/evidence.js';
import { actorNames } from '../../services/actors.js';
import { unitKindOf } from '../../services/assessments.js';
import {
  AppealRefused, answerAppeal, answerSteps, appealUnit, appealView, appealViews, APPEAL_STEPS, REASON_MAX_CHARS, type AppealView,
} from '../../services/appeals.js';
import { runResults, withExplanations, STATUS } from '../../services/runs.js';
import { mayCorrect } from '../../services/corrections.js';
import { sendEvidenceFile } from '../download.js';
import { notFound, type Context, type RouteSpec } from '../route.js';
import { urlOf } from '../url.js';

/** Leaders and the administrator read the appeals and answer them: 驳回 with a reason, or 采纳, then on to the fix. */

function appealId(req: Request): number {
  const id = Number(req.params.appealId);
  if (!/^\d{1,9}$/.test(String(req.params.appealId)) || id <= 0) throw notFound('申诉');
  return id;
}

/** What the unit's result says of each item appealed: a clause's points, score and reason; an input's value. */
async function itemResults(ctx: Context, a: AppealView) {
  const [found] = (await runResults(ctx.db, a.run_id, { unitId: a.unit_id })).units;
  const [unit] = found ? await withExplanations(ctx.db, a.run, [found]) : [];
  const rs = a.ruleset;
  return a.itemList.map((item) => {
    if (item.kind === 'clause') {
      const c = rs.criteria.find((n) => n.id === item.id);
      const score = unit?.scores[item.id];
      return {
        // Nothing lost is left blank, as on the scorecard.
        kind: '考核条款', title: item.title, points: c?.points, score, lost: c && typeof score === 'number' && c.points - score > 1e-9 ? c.points - score : undefined,
        why: unit?.explanations?.[item.id] ?? '',
      };
    }
    const input = rs.inputs.find((n) => n.name === item.id);
    const v = unit?.inputs?.[item.id];
    const value = v === undefined || v === null || v === '' ? '未填' : typeof v === 'boolean' ? (v ? '是' : '否') : `${String(v)}${input?.unit ?? ''}`;
    return { kind: '数据', title: item.title, value };
  });
}

/** Where an accepted appeal leads: the entry form of the unit and period, the rules (admin), the correction. */
function nextLinks(a: AppealView, role: string) {
  return {
    entry: urlOf(['entry', a.run.period_id, a.run.track, a.unit_id]),
    rules: role === 'admin' ? urlOf(['rules', a.ruleset.id, 'edit']) : null,
    correct: a.correction_run_id === null && mayCorrect(a.run) ? urlOf(['runs', a.run_id, 'correct']) : null,
    correction: a.correction_run_id !== null ? urlOf(['runs', a.correction_run_id]) : null,
  };
}

async function renderAppeal(ctx: Context, a: AppealView, form: { step?: string; text?: string; ruleAtFault?: boolean; error?: string } = {}, status = 200): Promise<void> {
  const actor = await actorNames(ctx.db, [a.filed_by, a.answered_by]);
  const steps = answerSteps(a, ctx.user!.role);
  ctx.render('appeal', {
    title: `第${a.id}号申诉`, appeal: a, precision: a.ruleset.precision, items: await itemResults(ctx, a),
    runTitle: `${a.periodTitle}考核结果（第${a.run_id}号，${STATUS[a.run.status]}）`, runHref: urlOf(['runs', a.run_id]),
    unitHref: urlOf([(await unitKindOf(ctx.db, a.run.track)) === 'staff' ? 'staff' : 'units', a.unit_id], { run: a.run_id }),
    filedBy: actor(a.filed_by), answeredBy: actor(a.answered_by),
    files: a.files.map((f) => ({ name: f.file_name, size: sizeInWords(f.size), type: EVIDENCE_TYPE_NAMES[f.media_type as EvidenceType] ?? '', href: urlOf(['appeals', a.id, 'files', f.id]) })),
    answerable: steps.length > 0, steps: steps.map((s) => ({ id: s, title: APPEAL_STEPS[s].title, checked: form.step === s })),
    text: form.text ?? '', ruleAtFault: form.ruleAtFault ?? false, error: form.error, maxChars: REASON_MAX_CHARS,
    action: urlOf(['appeals', a.id, 'answer']), next: a.status === 'accepted' ? nextLinks(a, ctx.user!.role) : null,
  }, status);
}

export const appealAnswerRoutes: RouteSpec[] = [
  {
    method: 'get', path: '/appeals', access: ['admin', 'leader'],
    handle: async (_req, _res, ctx) => {
      const views = await appealViews(ctx.db);
      const actor = await actorNames(ctx.db, views.map((a) => a.filed_by));
      const appeals = views.map((a) => ({
        id: a.id, unitName: a.unitName, periodTitle: a.periodTitle, runId: a.run_id, stateName: a.stateName, status: a.status,
        items: a.itemList.map((i) => i.title), fileCount: a.files.length, filedAt: a.filed_at, filedBy: actor(a.filed_by), href: urlOf(['appeals', a.id]),
      }));
      ctx.render('appeals', {
        title: '申诉', open: appeals.filter((a) => a.status === 'open'), answered: appeals.filter((a) => a.status !== 'open'),
      });
    },
  },
  {
    method: 'get', path: '/appeals/:appealId', access: ['admin', 'leader'],
    handle: async (req, _res, ctx) => {
      const a = await appealView(ctx.db, appealId(req));
      if (!a) throw notFound('申诉');
      await renderAppeal(ctx, a);
    },
  },
  {
    method: 'post', path: '/appeals/:appealId/answer', access: ['admin', 'leader'],
    handle: async (req, res, ctx) => {
      const id = appealId(req);
      const step = req.body.step === 'reject' || req.body.step === 'accept' ? req.body.step as 'reject' | 'accept' : undefined;
      const text = typeof req.body.text === 'string' ? req.body.text.slice(0, REASON_MAX_CHARS * 2) : '';
      const ruleAtFault = req.body.ruleAtFault === '1';
      try {
        if (!step) throw new AppealRefused('STEP_MISSING', '请选择驳回或采纳');
        const { appeal, run } = await answerAppeal(ctx.db, { appealId: id, step, text, by: ctx.user!.username });
        const a = (await appealView(ctx.db, appeal.id))!;
        if (step === 'reject') {
          req.session.flash = `已驳回第${a.id}号申诉，并已告知${a.unitName}。`;
          return res.redirect(303, urlOf(['appeals', a.id]));
        }
        // 采纳: straight on to the fix, saying what to fix, then to the correction.
        const what = a.itemList.map((i) => i.title).join('、');
        const then = `改好后，到第${run.id}号考核选择“更正”，重新记分并公示。`;
        const links = nextLinks(a, ctx.user!.role);
        if (ruleAtFault && links.rules) {
          req.session.flash = `已采纳第${a.id}号申诉（${a.unitName}：${what}）。考核细则有误：请在下面修改并保存新版本，${then}`;
          return res.redirect(303, links.rules);
        }
        req.session.flash = `已采纳第${a.id}号申诉（${a.unitName}：${what}）。请核对并修改下面的数据；${ruleAtFault ? '考核细则有误的，请管理员修改考核细则；' : ''}${then}`;
        res.redirect(303, links.entry);
      } catch (e) {
        if (!(e instanceof AppealRefused)) throw e;
        const a = await appealView(ctx.db, id);
        if (!a) throw notFound('申诉');
        await renderAppeal(ctx, a, { step, text, ruleAtFault, error: `未答复：${e.message}` }, 400);
      }
    },
  },
  {
    // The evidence as a download only (sendEvidenceFile).
    method: 'get', path: '/appeals/:appealId/files/:fileId', access: ['admin', 'leader', 'village', 'staff'],
    owner: (req, db) => (/^\d{1,9}$/.test(String(req.params.appealId)) ? appealUnit(db, Number(req.params.appealId)) : Promise.resolve(undefined)),
    handle: async (req, res, ctx) => {
      const fileId = Number(req.params.fileId);
      if (!/^\d{1,9}$/.test(String(req.params.fileId))) throw notFound('文件');
      const file = await appealFile(ctx.db, appealId(req), fileId);
      if (!file) throw notFound('文件');
      sendEvidenceFile(res, file.file_name, file.content);
    },
  },
];
