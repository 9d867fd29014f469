import type { CompiledInput } from '../engine/compiled.js';
import { limitsText } from '../services/entry.js';

/**
 * An input's form field as a page shows it (views/partials/entry/field.hbs): its label, unit and limits,
 * the control the browser should show without any script, the value as typed, and its problems beside it.
 * The data entry form and a unit's own report (数据填报) use the same fields.
 */

export interface FieldProblem { code: string; message: string; }

/** What an <input type="number"> can hold (the HTML "valid floating-point number"). */
const BROWSER_NUMBER = /^-?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?$/;

function defaultText(input: CompiledInput): string | undefined {
  if (input.default === undefined) return undefined;
  return typeof input.default === 'boolean' ? (input.default ? '是' : '否') : `${input.default}${input.unit ?? ''}`;
}

/** The field of one input holding `value`, with its problems. */
export function inputControl(input: CompiledInput, value: string, errors: FieldProblem[]) {
  const choices = input.type === 'boolean' ? ['是', '否'] : input.type === 'grade' ? [...(input.grades ?? [])] : undefined;
  return {
    name: input.name, label: input.label, unit: input.unit, limits: limitsText(input), defaultText: defaultText(input),
    required: input.default === undefined, value, errors,
    number: choices ? undefined : {
      // A kept value a number field cannot hold ("abc") would show blank there: shown as text instead, to be corrected.
      type: value === '' || BROWSER_NUMBER.test(value) ? 'number' : 'text',
      step: input.type === 'integer' ? '1' : 'any', mode: input.type === 'integer' ? 'numeric' : 'decimal',
      // As text, so that a limit of 0 still renders.
      min: input.min === undefined ? undefined : String(input.min), max: input.max === undefined ? undefined : String(input.max),
    },
    // A stored or posted value the choices do not hold (a bad upload, a typo) is kept visible, to be corrected.
    options: choices?.map((c) => ({ value: c, selected: c === value }))
      .concat(choices.includes(value) || value === '' ? [] : [{ value, selected: true }]),
  };
}
