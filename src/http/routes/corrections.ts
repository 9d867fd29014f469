import type { Request } from 'express';
import type { RunRow } from '../../db/queries/runs.js';
import { DataInvalid } from '../../engine/index.js';
import { correctionDrafts, correctionRefusal, correctionVersions, createCorrection, MAX_REASON } from '../../services/corrections.js';
import { periodTitle } from '../../services/period.js';
import { requireRun, RunRefused, STATUS } from '../../services/runs.js';
import { assessmentTitle } from '../../services/assessments.js';
import { notFound, type Context, type RouteSpec } from '../route.js';
import { urlOf } from '../url.js';

/** 更正 in the browser: the form (a required reason, the rule version) and the correction draft it creates. */

async function existingRun(req: Request, ctx: Context): Promise<RunRow> {
  const id = Number(req.params.id);
  if (!Number.isInteger(id) || id <= 0) throw notFound('考核');
  try {
    return await requireRun(ctx.db, id);
  } catch (e) {
    if (e instanceof RunRefused) throw notFound('考核');
    throw e;
  }
}

interface FormState { reason?: string; rules?: string; error?: string }

async function renderForm(ctx: Context, run: RunRow, state: FormState, status: number): Promise<void> {
  const refused = correctionRefusal(run);
  const versions = await correctionVersions(ctx.db, run);
  const chosen = versions.some((v) => v.sha256 === state.rules) ? state.rules : run.rule_sha256;
  const drafts = await correctionDrafts(ctx.db, run);
  const own = versions.find((v) => v.own);
  ctx.render('correct', {
    title: `更正第${run.id}号考核`, run, periodName: periodTitle(run.period_id), trackName: (await assessmentTitle(ctx.db, run.track)) ?? run.track,
    statusName: STATUS[run.status], refused, error: state.error ?? null, reason: state.reason ?? '', maxReason: MAX_REASON,
    own, versions: versions.map((v) => ({ ...v, selected: v.sha256 === chosen })), drafts,
  }, status);
}

export const correctionRoutes: RouteSpec[] = [
  {
    method: 'get', path: '/runs/:id/correct', access: ['admin', 'leader'],
    handle: async (req, _res, ctx) => {
      const run = await existingRun(req, ctx);
      await renderForm(ctx, run, {}, correctionRefusal(run) ? 409 : 200);
    },
  },
  {
    method: 'post', path: '/runs/:id/correct', access: ['admin', 'leader'],
    handle: async (req, res, ctx) => {
      const run = await existingRun(req, ctx);
      const reason = typeof req.body?.reason === 'string' ? req.body.reason.slice(0, MAX_REASON * 4) : '';
      const rules = typeof req.body?.rules === 'string' ? req.body.rules.slice(0, 64) : undefined;
      try {
        const correction = await createCorrection(ctx.db, { runId: run.id, reason, ruleSha: rules || undefined, by: ctx.user!.username });
        req.session.flash = `已生成第${correction.id}号考核：对第${run.id}号的更正（草稿）。请核对下方因数据变化和因细则变化的两部分变动，无误后发布`;
        res.redirect(303, urlOf(['runs', correction.id]));
      } catch (e) {
        if (e instanceof RunRefused) {
          return await renderForm(ctx, await requireRun(ctx.db, run.id), { reason, rules, error: e.message }, e.code === 'NOT_CORRECTABLE' ? 409 : 422);
        }
        if (e instanceof DataInvalid) {
          const shown = e.problems.slice(0, 3).map((p) => `第${p.row}行“${p.column}”：${p.message}`).join('；');
          return await renderForm(ctx, run, { reason, rules, error: `数据有误，未能记分：${shown}${e.problems.length > 3 ? `等${e.problems.length}处` : ''}` }, 422);
        }
        throw e;
      }
    },
  },
];
