/** A plain text table for `--table` output: one row per item, columns from the first rows' keys. */
const cell = (value: unknown): string => {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
};

const width = (text: string): number =>
  [...text].reduce((sum, ch) => sum + (/[\u1100-\uffff]/.test(ch) ? 2 : 1), 0);
const pad = (text: string, to: number): string => text + ' '.repeat(Math.max(0, to - width(text)));

export const renderTable = (rows: readonly Record<string, unknown>[]): string => {
  if (rows.length === 0) return '(no rows)';
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cells = rows.map((row) => columns.map((column) => cell(row[column]).slice(0, 60)));
  const widths = columns.map((column, i) =>
    Math.max(width(column), ...cells.map((row) => width(row[i] as string))),
  );
  const line = (values: string[]) =>
    values
      .map((value, i) => pad(value, widths[i] as number))
      .join('  ')
      .trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
};
