import { Command, CommanderError, Option } from 'commander';
import { EXIT } from './exit.js';

/**
 * `appraisal`: the command line of the product. Each command's module is loaded when it runs, so
 * that `check` does not wait for the spreadsheet and database libraries it never uses. `check` and `score` are RULES.md §6 and
 * need no database; the record commands work on DATABASE_FILE (SQLite, by default
 * data/appraisal.sqlite) or on PostgreSQL when DATABASE_URL is set.
 */

const FORMAT = new Option('-f, --format <format>', '输出格式').choices(['table', 'json', 'csv']).default('table');
const BY = ['--by <user>', '操作人（写入审计日志）', process.env.USER ?? process.env.USERNAME ?? 'cli'] as const;
const TRACK = new Option('-t, --track <track>', '考核：village（村级千分考核）、staff（双线考核）或管理员新增的考核（见“考核管理”页）').default('village');

export function buildProgram(): Command {
  const program = new Command('appraisal')
    .description('千分考核：按考核细则（规则文件）为村和工作人员记分、排名、奖惩')
    .helpOption('-h, --help', '显示帮助')
    .helpCommand('help [command]', '显示某个命令的帮助')
    .showHelpAfterError('（用 --help 查看用法）')
    .exitOverride();
  const command = (name: string) => program.command(name).helpOption('-h, --help', '显示帮助');
  const set = async (code: number | Promise<number>) => { process.exitCode = await code; };

  command('check')
    .description('检查规则文件：列出全部错误（文件、JSON 指针、行:列、错误代码），有错时退出码为 1')
    .argument('<rules...>', '规则文件（JSON），可多个')
    .action(async (files: string[]) => set((await import('./commands/check.js')).checkCommand(files)));

  command('score')
    .description('按规则文件为数据中的单位记分并排名（不用数据库）；退出码 1 为规则错误，2 为数据错误')
    .argument('<rules>', '规则文件（JSON）')
    .argument('<data>', '数据文件：CSV（UTF-8 或 GB18030，首行为表头）或 JSON')
    .addOption(FORMAT)
    .option('-s, --source <name=source>', '来源：另一项考核的结果，如 fp=计生结果.json（score --format json 的输出）或 fp=规则文件,数据文件；可多次使用',
      (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('-l, --link <name=source>', '双线考核的关联（即 --source），如 village=村结果.json；可多次使用',
      (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('-e, --events <file>', '事件台账：CSV，列为 unit（单位编号）、input（台账名称）、level（等级）、points（分值）')
    .action(async (rules: string, data: string, opts: { format: 'table' | 'json' | 'csv'; link: string[]; source: string[]; events?: string }) =>
      set((await import('./commands/score.js')).scoreCommand(rules, data, opts.format, [...opts.source, ...opts.link], opts.events)));

  command('scorecard')
    .description('打印一个单位的记分卡：逐条列出得分与扣分原因（不用数据库）')
    .argument('<rules>', '规则文件（JSON）')
    .argument('<data>', '数据文件（CSV 或 JSON）')
    .argument('<unit>', '单位编号 id')
    .option('-s, --source <name=source>', '来源：另一项考核的结果（同 score）；可多次使用', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('-e, --events <file>', '事件台账 CSV（同 score）')
    .action(async (rules: string, data: string, unit: string, opts: { source: string[]; events?: string }) => set((await import('./commands/scorecard.js')).scorecardCommand(rules, data, unit, opts.source, opts.events)));

  command('report')
    .description('统计报表（形势分析）：每个单位及其各级上级单位的全部输入和指标，上级单位按下级数字汇总后计算比率（不平均比率）；退出码 1 为规则错误，2 为数据错误')
    .argument('<rules>', '规则文件（JSON）')
    .argument('<data>', '本期数据文件：CSV（UTF-8 或 GB18030，首行为表头）或 JSON')
    .option('-c, --compare <data>', '去年同期的数据文件：每个数字另给比去年同期的增减')
    .addOption(FORMAT)
    .action(async (rules: string, data: string, opts: { compare?: string; format: 'table' | 'json' | 'csv' }) => set((await import('./commands/report.js')).reportCommand(rules, data, opts.compare, opts.format)));

  command('import')
    .description('把一个考核期的数据（CSV、XLSX 或 JSON）导入数据库：逐格检查，全部正确才整体写入')
    .argument('<period>', '考核期：2023、2024H1、2024Q3 …')
    .argument('<file>', '数据文件')
    // No default: data checked against --rules staff-annual is the staff assessment's, as it always was.
    .addOption(new Option('-t, --track <track>', '考核：village（村级千分考核）、staff（双线考核）或管理员新增的考核；默认为 --rules 所指规则集的考核，未指定时为 village'))
    .option('-r, --rules <rules>', '按哪个规则集检查：规则集编号、版本校验值或规则文件（默认为该类别的年度细则）')
    .option('--replace', '替换该考核期该类别的全部数据（默认只新增或更新文件中的单位）')
    .option(...BY)
    .action(async (period: string, file: string, opts) => set((await import('./commands/record.js')).importCommand(period, file, opts)));

  command('import-events')
    .description('导入某考核期的事件台账（CSV 或 XLSX，按事件台账模板：单位、事件台账、等级或分值、日期、说明）：全部导入或全部不导入，有错时逐格列出，退出码 2')
    .argument('<period>', '考核期，如 2024')
    .argument('<file>', '事件台账文件')
    .option(...BY)
    .action(async (period: string, file: string, opts) => set((await import('./commands/events.js')).importEventsCommand(period, file, opts)));

  command('run')
    .description('对一个考核期记分、排名，并保存为一次考核（草稿）')
    .argument('<period>', '考核期')
    .addOption(TRACK)
    .option('-r, --rules <rules>', '规则集编号、版本校验值或规则文件（默认为该类别的年度细则的最新版本）')
    .option('--corrects <run>', '作为对某次已发布考核的更正')
    .option('--note <text>', '说明（如更正原因）')
    .option(...BY)
    .action(async (period: string, opts) => set((await import('./commands/record.js')).runCommand(period, opts)));

  command('publish')
    .description('发布一次考核（草稿），开始公示；发布后结果不再改变。更正发布时，取代被更正的那次并列出变动')
    .argument('<run>', '考核编号')
    .option('-u, --until <date>', '公示截止日期 YYYY-MM-DD（北京时间，当天仍可申诉；默认为5个工作日后）')
    .option(...BY)
    .action(async (run: string, opts) => set((await import('./commands/record.js')).publishCommand(run, opts)));

  command('finalize')
    .description('定稿：公示截止且申诉全部答复后，考核结果定稿，不再改变')
    .argument('<run>', '考核编号')
    .option(...BY)
    .action(async (run: string, opts) => set((await import('./commands/record.js')).finalizeCommand(run, opts)));

  command('discard')
    .description('作废一次考核草稿（其结果删除，记录保留为“已作废”）')
    .argument('<run>', '考核编号')
    .option(...BY)
    .action(async (run: string, opts) => set((await import('./commands/record.js')).discardCommand(run, opts)));

  command('verify')
    .description('按考核所用的规则版本和输入快照重新计算，核对保存的结果是否完全一致（不一致时退出码为 5）')
    .argument('<run>', '考核编号')
    .action(async (run: string) => set((await import('./commands/record.js')).verifyCommand(run)));

  command('export')
    .description('导出一次考核的排名和记分卡（XLSX 或 CSV）')
    .argument('<run>', '考核编号')
    .addOption(new Option('-f, --format <format>', '格式').choices(['xlsx', 'csv']).default('xlsx'))
    .addOption(new Option('-w, --what <what>', 'CSV 导出的内容（XLSX 两者都有）').choices(['ranking', 'scorecards']).default('ranking'))
    .option('-o, --out <file>', '输出文件（- 为标准输出）；默认按考核编号命名')
    .action(async (run: string, opts) => set((await import('./commands/record.js')).exportCommand(run, opts)));

  command('runs')
    .description('列出考核记录')
    .option('-p, --period <period>', '只列出该考核期')
    .option('-t, --track <track>', '只列出该类别')
    .addOption(new Option('-f, --format <format>', '输出格式（json：每次考核的编号、考核期、类别、状态、公示截止等）').choices(['table', 'json']).default('table'))
    .action(async (opts) => set((await import('./commands/record.js')).runsCommand(opts)));

  command('appeals')
    .description('列出申诉：编号、考核、单位、事项、理由、状态、答复、提交与答复的时间和人、证明材料（名称、类型、大小）；待答复的在前')
    .option('--run <run>', '只列出该次考核的申诉')
    .addOption(new Option('-f, --format <format>', '输出格式').choices(['table', 'json']).default('table'))
    .action(async (opts) => set((await import('./commands/appeals.js')).appealsCommand(opts)));

  command('changes')
    .description('列出一次更正与它所更正的考核之间的变动：排名、总分、等级、否决、奖惩')
    .argument('<run>', '更正的考核编号')
    .action(async (run: string) => set((await import('./commands/record.js')).changesCommand(run)));

  const user = command('user').description('账号管理：新增、重置密码、停用、启用、列出');
  const sub = (name: string) => user.command(name).helpOption('-h, --help', '显示帮助');
  sub('add')
    .description('新增账号；密码自动生成并只显示一次')
    .argument('<username>', '用户名')
    .addOption(new Option('--role <role>', '角色').choices(['admin', 'leader', 'village', 'staff']).makeOptionMandatory())
    .option('--unit <id>', '所属单位（村或工作人员账号必填）')
    .option('--name <name>', '显示名称')
    .option(...BY)
    .action(async (username: string, opts) => set((await import('./commands/user.js')).userAddCommand(username, opts)));
  sub('reset')
    .description('重置密码（新密码自动生成并只显示一次），并结束该账号所有会话')
    .argument('<username>', '用户名')
    .option(...BY)
    .action(async (username: string, opts) => set((await import('./commands/user.js')).userResetCommand(username, opts)));
  sub('disable')
    .description('停用账号并结束其所有会话')
    .argument('<username>', '用户名')
    .option(...BY)
    .action(async (username: string, opts) => set((await import('./commands/user.js')).userDisableCommand(username, opts)));
  sub('enable')
    .description('重新启用账号')
    .argument('<username>', '用户名')
    .option(...BY)
    .action(async (username: string, opts) => set((await import('./commands/user.js')).userDisableCommand(username, { ...opts, enable: true })));
  sub('list')
    .description('列出全部账号')
    .action(async () => set((await import('./commands/user.js')).userListCommand()));

  command('backup')
    .description('备份 SQLite 数据库到文件（服务运行时也可备份，得到一致的副本）；PostgreSQL 请用 pg_dump')
    .argument('<file>', '备份文件')
    .option(...BY)
    .action(async (file: string, opts) => set((await import('./commands/backup.js')).backupCommand(file, opts)));

  command('restore')
    .description('用备份文件恢复 SQLite 数据库（须先停止服务）；先检查备份，原数据库保留为 *.before-restore')
    .argument('<file>', '备份文件')
    .option(...BY)
    .action(async (file: string, opts) => set((await import('./commands/backup.js')).restoreCommand(file, opts)));

  command('demo')
    .description('检查全部规则集，为示范乡镇的各村记分并打印最近一年的排名（不用数据库）')
    .action(async () => set((await import('./commands/demo.js')).demoCommand()));

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    // Something the product did not foresee: say it briefly (a driver may quote a whole SQL statement).
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`内部错误：${message.length > 600 ? `${message.slice(0, 600)}……` : message}\n`);
    if (process.env.APPRAISAL_DEBUG) process.stderr.write(`${(e as Error).stack ?? ''}\n`);
    process.exitCode = EXIT.internal;
  }
}

await main(process.argv);
