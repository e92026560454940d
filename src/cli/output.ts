/** Terminal output for the CLI: tables and key/value lists on stdout, progress on stderr. */
import { printable, printableText } from '../common/text';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * CSV (RFC 4180: comma-separated, CRLF, fields with a comma, quote or line break quoted). A text
 * cell that a spreadsheet would read as a formula (=, +, -, @ first) is prefixed with '.
 */
export function printCsv(headers: string[], rows: (string | number | null)[][]): void {
  const cell = (value: string | number | null) => {
    if (value === null) return '';
    if (typeof value === 'number') return String(value);
    const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  for (const row of [headers, ...rows]) process.stdout.write(`${row.map(cell).join(',')}\r\n`);
}

/** Two columns: labels padded to the widest; numbers with thousands separators. */
export function printPairs(pairs: [string, string | number][]): void {
  const width = Math.max(...pairs.map(([label]) => label.length));
  for (const [label, value] of pairs) {
    process.stdout.write(`${label.padEnd(width)}  ${figure(value)}\n`);
  }
}

/** A figure as text: numbers with thousands separators (1,149), others as they are. */
export function figure(cell: string | number): string {
  return typeof cell === 'number'
    ? cell.toLocaleString('en', { maximumFractionDigits: 6 })
    : printable(cell);
}

/**
 * Cells that read as figures: numbers, percentages, hours, "n/a", marked against a target (e.g.
 * "75.6% (< 85.0%)", "5% (> 2%)").
 */
const FIGURE = /^(n\/a|[-+]?[\d,]+(\.\d+)?( ?%| h| pts)?( \([<>] [\d.]+%\))?)$/;

/**
 * A table with a header row; columns of figures (numbers, percentages) are right-aligned, numbers
 * with thousands separators. Cells come from data, so control characters are shown escaped: a
 * name cannot move the cursor or forge a row.
 */
export function printTable(headers: string[], rows: (string | number)[][]): void {
  const cells = [headers, ...rows.map((row) => row.map(figure))];
  const widths = headers.map((_, col) => Math.max(...cells.map((row) => row[col].length)));
  const numeric = headers.map(
    (_, col) =>
      rows.length > 0 &&
      rows.every((r) => typeof r[col] === 'number' || FIGURE.test(String(r[col]))),
  );
  const line = (row: string[]) =>
    row
      .map((cell, col) => (numeric[col] ? cell.padStart(widths[col]) : cell.padEnd(widths[col])))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(cells[0])}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of cells.slice(1)) process.stdout.write(`${line(row)}\n`);
}

/**
 * A progress bar on stderr, drawn only when stderr is a terminal (never in pipes, logs or CI).
 * Returns the listener to pass to long operations and a function that ends the bar.
 */
export function progressBar(label: string): {
  update: (done: number, total: number) => void;
  end: () => void;
} {
  if (!process.stderr.isTTY) return { update: () => undefined, end: () => undefined };
  let drawn = false;
  let lastPercent = -1;
  return {
    update: (done, total) => {
      const percent = total > 0 ? Math.floor((100 * done) / total) : 100;
      if (percent === lastPercent) return;
      lastPercent = percent;
      const filled = Math.round(percent / 5);
      process.stderr.write(
        `\r${label} [${'#'.repeat(filled)}${'.'.repeat(20 - filled)}] ${percent}%`,
      );
      drawn = true;
    },
    end: () => {
      if (drawn) process.stderr.write('\n');
    },
  };
}

/** The tools an answer ran, one line each, as the model called them (escaped: they come from outside). */
export function printToolCalls(
  calls: { name: string; arguments: string; error: string | null }[],
): void {
  for (const call of calls) {
    const failed = call.error ? ` -> error: ${call.error}` : '';
    process.stdout.write(`  [tool] ${printable(`${call.name}(${call.arguments})${failed}`)}\n`);
  }
}

/** An answer written by the model: its lines kept, anything else that could drive the terminal escaped. */
export function printAnswerText(prefix: string, text: string): void {
  process.stdout.write(`${prefix}${printableText(text)}\n`);
}
