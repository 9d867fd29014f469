import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../src/db/connection.js';
import { RULES_DIR } from '../../src/paths.js';
import { resolveRuleVersion } from '../../src/services/rule-versions.js';
import { tempDir } from './temp.js';

/**
 * The village rule set with an events ledger (RULES.md §7.6), as a township would add one: 安全生产事故
 * by level (一般5分、较大10分) or by points (每起2～5分), deducted as a penalty (sum of the points).
 * Written into a temporary rules dir and stored as the newest version of village-annual, so that
 * it is the rule set the village track is scored with.
 */
export function eventsRuleFile(): string {
  const rules = JSON.parse(readFileSync(path.join(RULES_DIR, 'village-annual.json'), 'utf8')) as Record<string, any>;
  rules.version = '2024.9';
  rules.inputs.accidents = { label: '安全生产事故', type: 'events', unit: '分', levels: { 一般: 5, 较大: 10 }, range: [2, 5] };
  rules.penalty.items.push({ id: 'accidents', title: '发生安全生产事故的，一般事故每起扣5分，较大事故每起扣10分，其他每起扣2至5分', method: 'amount', value: 'sum(accidents)' });
  const file = path.join(tempDir('appraisal-rules-'), 'village-annual.json');
  writeFileSync(file, JSON.stringify(rules, null, 2));
  return file;
}

/** Stores the rule set with an events ledger as the village track's newest; its sha256. */
export async function useEventsRules(db: Db): Promise<string> {
  return resolveRuleVersion(db, eventsRuleFile(), 'village', 'test');
}
