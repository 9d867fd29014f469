import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import { compileRuleSet } from './compile-ruleset.js';
import type { CompiledRuleSet } from './compiled.js';
import { JsonSyntaxError, parseJsonWithSource, type SourceMap } from './json-source.js';
import { RuleFileInvalid, type RuleProblem } from './problems.js';
import type { RuleSetFile } from './ruleset.js';

/**
 * A rule file checked at the door: JSON syntax, then the JSON Schema (compiled once
 * per schema with one Ajv), then the semantic checks; every problem placed at its JSON
 * pointer and line:column. A field the language does not define is an error (RULES.md §7.1):
 * an author who writes `zeroIf` where it means nothing means something, and ignoring it
 * silently would change scores.
 */

const Ajv = AjvModule.default ?? AjvModule;
const validators = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: object): ValidateFunction {
  let v = validators.get(schema);
  if (!v) {
    const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true, unicodeRegExp: true });
    v = ajv.compile(schema);
    validators.set(schema, v);
  }
  return v;
}

export interface LoadedRuleSet {
  ruleset: CompiledRuleSet;
  warnings: RuleProblem[];
}

/** Parses, validates and compiles a rule file's text; throws RuleFileInvalid with every problem. */
export function loadRuleSet(text: string, file: string, schema: object): LoadedRuleSet {
  let doc: unknown;
  let source: SourceMap;
  try {
    ({ value: doc, source } = parseJsonWithSource(text));
  } catch (e) {
    if (e instanceof JsonSyntaxError) {
      throw new RuleFileInvalid([{ code: 'JSON_SYNTAX', message: `JSON 格式错误：${e.message}`, file, pointer: '', ...e.position }]);
    }
    throw e;
  }
  const place = (pointer: string, code: string, message: string, offset?: number): RuleProblem => ({
    code, message, file, pointer, ...(offset === undefined ? source.at(pointer) : source.inString(pointer, offset)),
  });

  const validate = validatorFor(schema);
  const problems: RuleProblem[] = [];
  const warnings: RuleProblem[] = [];
  // JSON Schema sees 1e400 as Infinity, a number like any other; no rule can mean it.
  for (const pointer of source.nonFinite) problems.push(place(pointer, 'SCHEMA', '数值超出可计算的范围（绝对值不能超过 1.7e308）'));
  if (!validate(doc)) {
    for (const err of relevantErrors(validate.errors ?? [])) {
      if (err.keyword === 'additionalProperties') {
        const extra = (err.params as { additionalProperty: string }).additionalProperty;
        problems.push(place(`${err.instancePath}`, 'UNKNOWN_FIELD', `未知的字段 “${extra}”（细则语言没有这个字段，是否拼写有误？）`));
      } else {
        problems.push(place(err.instancePath, 'SCHEMA', schemaMessage(err)));
      }
    }
  }
  // The semantic checks run even on a file the schema rejected, so that the author sees
  // every problem at once; on a shape they cannot read they give up, and the schema has spoken.
  let compiled: ReturnType<typeof compileRuleSet> | undefined;
  try {
    compiled = compileRuleSet(doc as RuleSetFile);
  } catch (e) {
    if (!problems.length) throw e;
  }
  for (const p of compiled?.problems ?? []) problems.push(place(p.pointer, p.code, p.message, p.offset));
  const ruleset = compiled?.ruleset;
  if (problems.length || !ruleset) throw new RuleFileInvalid(sortProblems(problems), warnings);
  return { ruleset, warnings };
}

/** Drops the noise of if/then and oneOf wrappers; keeps what the author must fix. */
function relevantErrors(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    // The branches of a oneOf explain nothing the oneOf itself does not say.
    if (e.keyword === 'if' || e.keyword === 'allOf' || e.schemaPath.includes('/oneOf/')) return false;
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function schemaMessage(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': return `缺少必填字段 “${p.missingProperty}”`;
    case 'type': return `类型应为 ${p.type}`;
    case 'enum': return `取值应为 ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join('、')} 之一`;
    case 'const': return `取值应为 ${JSON.stringify(p.allowedValue)}`;
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum':
      return `数值应 ${p.comparison} ${p.limit}`;
    case 'minItems': return `至少应有 ${p.limit} 项`;
    case 'minLength': return '不能为空';
    case 'pattern': return `格式不符（应匹配 ${p.pattern}）`;
    case 'propertyNames': return `名称 “${p.propertyName}” 不合规：只能由字母、数字和下划线组成，且不以数字开头`;
    case 'oneOf': return e.instancePath.includes('/sanctions/') ? '奖惩须有 place（名次）或 rank（名次范围）之一（且只能有一个）' : '细项须有 award 或 deduct 之一（且只能有一个）';
    case 'minProperties': return '至少应有 1 项';
    case 'maxItems': return `至多应有 ${p.limit} 项`;
    case 'not': return e.instancePath.endsWith('/place') ? 'place 不能为 0（正数从第一名数起，负数从最后一名数起）' : 'atLeast 与 vetoed 不能同时出现';
    case 'uniqueItems': return '列表中有重复项';
    default: return e.message ?? e.keyword;
  }
}

function sortProblems(problems: RuleProblem[]): RuleProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
}
