import { Command, CommanderError, Option } from 'commander';
import { checkCommand } from './commands/check.js';
import { scoreCommand } from './commands/score.js';
import { demoCommand } from './commands/demo.js';
import { scorecardCommand } from './commands/scorecard.js';

/**
 * `appraisal`: the command line of the product (RULES.md §6).
 * Exit codes: 0 done, 1 invalid rule file, 2 invalid data, 3 wrong usage.
 */

export const EXIT = { ok: 0, rules: 1, data: 2, usage: 3 } as const;

export function buildProgram(): Command {
  const program = new Command('appraisal')
    .description('千分考核：按考核细则（规则文件）为村和工作人员记分、排名、奖惩')
    .helpOption('-h, --help', '显示帮助')
    .showHelpAfterError('（用 --help 查看用法）')
    .exitOverride();

  program.command('check')
    .description('检查规则文件：列出全部错误（文件、JSON 指针、行:列、错误代码），有错时退出码为 1')
    .argument('<rules...>', '规则文件（JSON），可多个')
    .helpOption('-h, --help', '显示帮助')
    .action((files: string[]) => { process.exitCode = checkCommand(files); });

  program.command('score')
    .description('按规则文件为数据中的单位记分并排名；退出码 1 为规则错误，2 为数据错误')
    .argument('<rules>', '规则文件（JSON）')
    .argument('<data>', '数据文件：CSV（UTF-8 或 GB18030，首行为表头）或 JSON')
    .addOption(new Option('-f, --format <format>', '输出格式').choices(['table', 'json', 'csv']).default('table'))
    .helpOption('-h, --help', '显示帮助')
    .action((rules: string, data: string, opts: { format: 'table' | 'json' | 'csv' }) => {
      process.exitCode = scoreCommand(rules, data, opts.format);
    });

  program.command('scorecard')
    .description('打印一个单位的记分卡：逐条列出得分与扣分原因')
    .argument('<rules>', '规则文件（JSON）')
    .argument('<data>', '数据文件（CSV 或 JSON）')
    .argument('<unit>', '单位编号 id')
    .helpOption('-h, --help', '显示帮助')
    .action((rules: string, data: string, unit: string) => { process.exitCode = scorecardCommand(rules, data, unit); });

  program.command('demo')
    .description('为示范乡镇的各村记分，并打印最近一年的排名')
    .helpOption('-h, --help', '显示帮助')
    .action(() => { process.exitCode = demoCommand(); });

  return program;
}

export function main(argv: string[]): void {
  try {
    buildProgram().parse(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    throw e;
  }
}

main(process.argv);
