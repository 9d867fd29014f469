import type { Db } from '../db/connection.js';
import { listRuns } from '../db/queries/runs.js';
import type { AssessmentRow } from '../db/queries/assessments.js';
import { allAssessments, assessmentOfRuleSet } from './assessments.js';
import { trackRules } from './entry.js';
import { periodTitle, sourcePeriod } from './period.js';
import { createRun, type CreateRunRequest } from './runs.js';
import type { RunRow } from '../db/queries/runs.js';

/**
 * A run together with the runs it reads (综合考核 reads 党建、安全生产、计生; 双线考核 the villages'):
 * "score it with its sources" for any assessment whose rule set reads others, in the order they must
 * be scored. A source is scored again only where it has no result a run would read before a new
 * draft (none 公示中 or 已定稿 for its period): a township does not reopen what it has published.
 */

/** One step of a chain: the assessment and the period its run is for. */
export interface ChainStep { assessment: AssessmentRow; periodId: string }

/** The assessments a run of `track` for `periodId` reads, theirs before them (each once), then the assessment itself. */
export async function sourceChain(db: Db, track: string, periodId: string, by: string): Promise<ChainStep[]> {
  const assessments = new Map((await allAssessments(db)).map((a) => [a.id, a]));
  const out: ChainStep[] = [];
  const seen = new Set<string>();
  const visit = async (id: string, period: string, depth: number): Promise<void> => {
    const key = `${id}|${period}`;
    const assessment = assessments.get(id);
    if (seen.has(key) || !assessment || assessment.disabled_at || depth > 8) return; // a loop of sources ends here; scoring refuses it
    seen.add(key);
    const { ruleset } = await trackRules(db, id, by);
    for (const source of ruleset.sources) {
      const read = await assessmentOfRuleSet(db, source.link ? source.name : source.ruleset);
      if (read) await visit(read.id, sourcePeriod(period, source.period), depth + 1);
    }
    out.push({ assessment, periodId: period });
  };
  await visit(track, periodId, 0);
  return out;
}

/** The assessments whose rule sets read others, each with the titles of what it reads: what the 记分 form offers to score together. */
export async function chainOptions(db: Db, by: string, periodId: string): Promise<Array<{ id: string; title: string; sources: string[] }>> {
  const out = [];
  for (const a of (await allAssessments(db)).filter((x) => !x.disabled_at)) {
    const chain = await sourceChain(db, a.id, periodId, by);
    if (chain.length > 1) out.push({ id: a.id, title: a.title, sources: chain.slice(0, -1).map((s) => s.assessment.title) });
  }
  return out;
}

/**
 * Scores an assessment with its sources: each source without a result 公示中 or 已定稿 for its period
 * is scored first (a new draft), then the assessment, which reads them. Each run is its own: one
 * refused stops the chain, and those already made stay as drafts to read or discard.
 */
export async function createRunWithSources(db: Db, req: Omit<CreateRunRequest, 'corrects' | 'rules'> & { track: string }): Promise<RunRow[]> {
  const chain = await sourceChain(db, req.track, req.periodId, req.by);
  if (chain.length === 0) return [await createRun(db, req)]; // a disabled assessment: refused, as it says why
  const made: RunRow[] = [];
  for (const [k, step] of chain.entries()) {
    const last = k === chain.length - 1;
    if (!last) {
      const runs = await listRuns(db, { periodId: step.periodId, track: step.assessment.id });
      if (runs.some((r) => r.status === 'published' || r.status === 'final')) continue;
    }
    made.push(await createRun(db, { ...req, periodId: step.periodId, track: step.assessment.id }));
  }
  return made;
}

/** The flash after a chain: which runs were made, by number and title. */
export function chainMade(made: RunRow[], titleOf: (track: string) => string): string {
  return `已生成${made.map((r) => `第${r.id}号（${periodTitle(r.period_id)}${titleOf(r.track)}）`).join('、')}考核（草稿），请核对后分别发布`;
}
