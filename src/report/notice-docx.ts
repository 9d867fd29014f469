import {
  AlignmentType, Document, Footer, Packer, PageNumber, PageOrientation, Paragraph, Table, TableCell, TableLayoutType,
  TableRow, TextRun, VerticalAlign, WidthType,
} from 'docx';

/**
 * The 通报 as a Word document (.docx) that Word and WPS open, for the office to edit before
 * it is stamped: A4 landscape, the title, the opening, the ranking table (its header row
 * repeated on every page, no row split across pages), what follows it, and the signature
 * (落款) with room for the seal. Pure: the notice in, the bytes out.
 */

export interface NoticeRow {
  rank: number;
  name: string;
  total: string;
  groups: string[];
  grade: string;
  /** Sanctions with their reason (倒数第二名，通报批评); a veto by a clause says 一票否决（原因见下）, its clause told after the table. */
  remarks: string[];
  vetoed: boolean;
}

export interface NoticeSection { heading: string; text: string; }

/** The 通报 of a run, every word and number as it is printed (services/notice.ts makes it). */
export interface Notice {
  title: string;
  /** Said under the title of a notice not (or no longer) in force: a draft, a superseded run; '' otherwise. */
  status: string;
  /** The issuing unit (枫林镇人民政府); '' when the unit tree does not name one. */
  issuer: string;
  /** The day, as a 公文 writes it: 2024年12月2日. */
  signedOn: string;
  opening: string;
  /** The table's columns beyond rank, name and total: the rule set's top groups with their points. */
  groups: Array<{ title: string; points: string }>;
  /** The heading over the table (一、考核排名). */
  rankingHeading: string;
  rows: NoticeRow[];
  /** What follows the table, numbered on from it (二、奖惩情况 …). */
  sections: NoticeSection[];
  /** The Word download's name: the title. */
  fileName: string;
}

// Sizes in half-points (docx `size`): 二号 22pt, 三号 16pt, 四号 14pt, 五号 10.5pt.
const TITLE = 44, BODY = 32, TABLE = 21;
const SONG = '宋体', FANGSONG = '仿宋', HEITI = '黑体';
/** A4 in twentieths of a point, given portrait: the library swaps them for landscape. */
const A4 = { width: 11906, height: 16838 };
const MARGIN = 1134; // 20 mm

/** Characters XML 1.0 cannot hold (a name is data: a control character would make the file unreadable). */
function xmlSafe(text: string): string {
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '');
}

function run(text: string, opts: { font?: string; size?: number; bold?: boolean } = {}): TextRun {
  const font = opts.font ?? FANGSONG;
  return new TextRun({ text: xmlSafe(text), font: { ascii: font, eastAsia: font, hAnsi: font }, size: opts.size ?? BODY, bold: opts.bold });
}

function cell(text: string, opts: { bold?: boolean; right?: boolean; width: number; shade?: boolean }): TableCell {
  return new TableCell({
    width: { size: opts.width, type: WidthType.DXA },
    verticalAlign: VerticalAlign.CENTER,
    margins: { left: 57, right: 57, top: 0, bottom: 0 },
    shading: opts.shade ? { fill: 'E7E6E6' } : undefined,
    children: [new Paragraph({
      alignment: opts.right ? AlignmentType.RIGHT : AlignmentType.LEFT,
      children: [run(text, { font: opts.bold ? HEITI : SONG, size: TABLE })],
    })],
  });
}

/** Column widths (twips) across the landscape text width: rank, name, total, each group (sharing what the others leave), grade, remarks. */
export function columnWidths(groupCount: number): number[] {
  const text = A4.height - 2 * MARGIN;
  const [rank, name, total, grade, remarks] = [700, 2200, 1000, 1900, 3600];
  const group = Math.floor((text - rank - name - total - grade - remarks) / Math.max(1, groupCount));
  return [rank, name, total, ...Array<number>(groupCount).fill(group), grade, remarks];
}

function rankingTable(notice: Notice): Table {
  const w = columnWidths(notice.groups.length);
  const header = new TableRow({
    tableHeader: true, cantSplit: true,
    children: [
      cell('名次', { bold: true, width: w[0], shade: true }), cell('单位', { bold: true, width: w[1], shade: true }),
      cell('总分', { bold: true, width: w[2], shade: true, right: true }),
      ...notice.groups.map((g, k) => cell(`${g.title}（${g.points}）`, { bold: true, width: w[3 + k], shade: true, right: true })),
      cell('等级', { bold: true, width: w[w.length - 2], shade: true }), cell('奖惩', { bold: true, width: w[w.length - 1], shade: true }),
    ],
  });
  const rows = notice.rows.map((r) => new TableRow({
    cantSplit: true,
    children: [
      cell(String(r.rank), { width: w[0], right: true }), cell(r.name, { width: w[1] }), cell(r.total, { width: w[2], right: true }),
      ...r.groups.map((g, k) => cell(g, { width: w[3 + k], right: true })),
      cell(r.grade, { width: w[w.length - 2] }), cell(r.remarks.join('；'), { width: w[w.length - 1] }),
    ],
  }));
  return new Table({ layout: TableLayoutType.FIXED, columnWidths: w, width: { size: w.reduce((a, b) => a + b, 0), type: WidthType.DXA }, rows: [header, ...rows] });
}

/** The notice as the bytes of a .docx file. */
export async function noticeDocx(notice: Notice): Promise<Buffer> {
  const indent = { firstLine: BODY * 20 }; // two characters (首行缩进两字)
  const children: Array<Paragraph | Table> = [
    new Paragraph({ alignment: AlignmentType.CENTER, spacing: { after: 120 }, children: [run(notice.title, { font: SONG, size: TITLE, bold: true })] }),
  ];
  if (notice.status) children.push(new Paragraph({ alignment: AlignmentType.CENTER, children: [run(notice.status, { size: 28 })] }));
  children.push(
    new Paragraph({ indent, spacing: { before: 240 }, children: [run(notice.opening)] }),
    new Paragraph({ indent, children: [run(notice.rankingHeading, { font: HEITI })] }),
    rankingTable(notice),
    ...notice.sections.map((s) => new Paragraph({ indent, spacing: { before: 120 }, children: [run(`${s.heading}：`, { font: HEITI }), run(s.text)] })),
    // Room for the seal (盖章), which is set over the issuer and the date.
    new Paragraph({ spacing: { before: 720 }, alignment: AlignmentType.RIGHT, indent: { right: 640 }, children: [run(notice.issuer || '（发文单位）')] }),
    new Paragraph({ alignment: AlignmentType.RIGHT, indent: { right: 640 }, children: [run(notice.signedOn)] }),
  );
  const document = new Document({
    title: xmlSafe(notice.title),
    creator: '千分考核',
    sections: [{
      properties: { page: { size: { ...A4, orientation: PageOrientation.LANDSCAPE }, margin: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN } } },
      footers: { default: new Footer({ children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ children: ['— ', PageNumber.CURRENT, ' —'], size: 28 })] })] }) },
      children,
    }],
  });
  return Packer.toBuffer(document);
}
