import { SourceResults, type CompiledRuleSet, type SourceResult } from '../engine/index.js';
import type { Tx } from '../db/connection.js';
import { getRun, listRuns, type RunRow } from '../db/queries/runs.js';
import { runSources, type RunSourceRow } from '../db/queries/run-sources.js';
import { assessmentOfRuleSet, assessmentTitle } from './assessments.js';
import { periodTitle, sourcePeriod } from './period.js';
import type { StoredResults } from './runs.js';

/**
 * Sources in the record (综合考核, RULES.md §7.8, issue 20 point 3): a run resolves each source of its
 * rule set to a run of the assessment scored by the source's rule set, in the period it names — the
 * final one, else the one under 公示, else the newest draft —, reads its results, and keeps which
 * run it read (run_sources); the values read are pinned in the run's snapshot, so `verify` recomputes
 * from the snapshot alone. A run's page says which run each source was, and whether it has changed
 * since (a correction published, a draft replaced), with the way to a correction.
 */

export class SourcesRefused extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}

/** A source's run for a period and assessment: the final one, else the one under 公示, else the newest draft. */
export function sourceRunOf(runs: RunRow[]): RunRow | undefined {
  return runs.find((r) => r.status === 'final') ?? runs.find((r) => r.status === 'published') ?? runs.find((r) => r.status === 'draft');
}

export interface ResolvedSources {
  /** Each source's results by unit id; a source that is not required and has no run is absent (its names are undefined). */
  results: Map<string, SourceResults>;
  /** What to keep with the run (its id is added when it is written). */
  rows: Array<Omit<RunSourceRow, 'run_id'>>;
}

/** Resolves the sources of a rule set for a period; refuses when a required source has no assessment or no result yet. */
export async function resolveSources(db: Tx, rs: CompiledRuleSet, periodId: string, resultsOf: (runId: number) => Promise<StoredResults>): Promise<ResolvedSources> {
  const results = new Map<string, SourceResults>();
  const rows: ResolvedSources['rows'] = [];
  for (const source of rs.sources) {
    // A link names its assessment by its own name (village); a source by the rule set that scores it.
    const assessment = await assessmentOfRuleSet(db, source.link ? source.name : source.ruleset);
    const period = sourcePeriod(periodId, source.period);
    const title = assessment?.title ?? source.label;
    const run = assessment ? sourceRunOf(await listRuns(db, { periodId: period, track: assessment.id })) : undefined;
    if (!run && source.required) {
      throw new SourcesRefused(assessment ? 'SOURCE_RUN_MISSING' : 'SOURCE_ASSESSMENT_MISSING', assessment
        ? `${rs.title}需要先有${periodTitle(period)}${title}的考核结果：请先对${title}记分`
        : `${rs.title}读取的“${source.label}”没有对应的考核：请管理员先添加用该细则考核的项目`);
    }
    rows.push({
      source: source.name, label: source.label, period_id: period, track: assessment?.id ?? '',
      source_run_id: run?.id ?? null, source_status: run?.status ?? null,
    });
    if (!run) continue;
    results.set(source.name, SourceResults.from((await resultsOf(run.id)).units.map((u): [string, SourceResult] => [u.id, {
      total: u.total, rank: u.rank, grade: u.grade, vetoed: u.vetoed, bonus: u.bonus, penalty: u.penalty,
      applicablePoints: u.applicablePoints, scores: u.scores, metrics: u.metrics,
    }])));
  }
  return { results, rows };
}

/** A status as a township says it. */
const STATUS_WORDS: Readonly<Record<string, string>> = { draft: '草稿', published: '公示中', final: '已定稿', superseded: '已更正', discarded: '已作废' };

export interface RunSourceLine {
  label: string;
  /** 2024年度村级安全生产专项考核 */
  what: string;
  runId: number | null;
  /** The state of the run read, when it was read: 已定稿 / 公示中 / 草稿. */
  readAs: string;
  /** Set when the source has changed since: the run that would be read now, and how it differs. */
  changed: { runId: number | null; text: string } | null;
}

/** What a run read from each source, and whether that has changed since (the source corrected, or its draft replaced). */
export async function sourcesOfRun(db: Tx, run: RunRow): Promise<RunSourceLine[]> {
  const lines: RunSourceLine[] = [];
  for (const row of await runSources(db, run.id)) {
    const title = (row.track && await assessmentTitle(db, row.track)) || row.label;
    const now = row.track ? sourceRunOf(await listRuns(db, { periodId: row.period_id, track: row.track })) : undefined;
    const read = row.source_run_id === null ? undefined : await getRun(db, row.source_run_id);
    let changed: RunSourceLine['changed'] = null;
    if ((now?.id ?? null) !== row.source_run_id) {
      changed = !now ? { runId: null, text: '所读结果已作废，现无可用结果' }
        : read?.status === 'superseded' ? { runId: now.id, text: `所读第${row.source_run_id}号已更正，现为第${now.id}号（${STATUS_WORDS[now.status] ?? ''}）` }
        : { runId: now.id, text: `现有第${now.id}号（${STATUS_WORDS[now.status] ?? ''}）` };
    }
    lines.push({
      label: row.label, what: `${periodTitle(row.period_id)}${title}`, runId: row.source_run_id,
      readAs: row.source_status ? STATUS_WORDS[row.source_status] ?? '' : '无结果（按未提供计）', changed,
    });
  }
  return lines;
}
