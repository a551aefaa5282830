/** One line of the results table: a figure, its baseline, their ratio and the target it is held to. */
export interface Row {
  readonly figure: string;
  readonly name: string;
  readonly measured: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly target: string;
  /** undefined: a figure without a target (reported only). */
  readonly met: boolean | undefined;
}

const COLUMNS = [
  ['figure', '#'],
  ['name', 'what'],
  ['measured', 'measured'],
  ['baseline', 'baseline'],
  ['ratio', 'ratio'],
  ['target', 'target'],
  ['status', 'status'],
] as const;

function status(row: Row): string {
  if (row.met === undefined) return '';
  return row.met ? 'met' : 'MISSED';
}

function cells(row: Row): Record<(typeof COLUMNS)[number][0], string> {
  return { ...row, status: status(row) };
}

/** A fixed-width table for the terminal. */
export function formatTable(rows: readonly Row[]): string {
  const widths = COLUMNS.map(([key, title]) => Math.max(title.length, ...rows.map((row) => cells(row)[key].length)));
  const line = (values: readonly string[]) =>
    values
      .map((value, index) => value.padEnd(widths[index] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    line(COLUMNS.map(([, title]) => title)),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map((row) => line(COLUMNS.map(([key]) => cells(row)[key]))),
  ].join('\n');
}

/** The same table in Markdown, for BENCHMARKS.md. */
export function markdownTable(rows: readonly Row[]): string {
  const cell = (value: string) => value.replaceAll('|', '\\|');
  return [
    `| ${COLUMNS.map(([, title]) => title).join(' | ')} |`,
    `|${COLUMNS.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${COLUMNS.map(([key]) => cell(cells(row)[key])).join(' | ')} |`),
  ].join('\n');
}
