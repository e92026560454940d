/**
 * CSV downloads of what a table or chart shows: RFC 4180 (comma, CRLF, quotes doubled), a text
 * cell that starts like a formula prefixed with ' (as the CLI's --csv does).
 */
export interface CsvData {
  headers: string[];
  rows: (string | number | null)[][];
}

const tables = new Map<string, CsvData>();

function cell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv({ headers, rows }: CsvData): string {
  return [headers, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** Keeps the data behind a table or chart for its CSV button (`data-csv` = name). */
export function setCsv(name: string, data: CsvData | null): void {
  if (data) tables.set(name, data);
  else tables.delete(name);
}

export function clearCsv(): void {
  tables.clear();
}

/** Downloads the named data as `<name>-<suffix>.csv`; false when there is none (not loaded). */
export function downloadCsv(name: string, suffix: string): boolean {
  const data = tables.get(name);
  if (!data) return false;
  const url = URL.createObjectURL(new Blob([toCsv(data)], { type: 'text/csv;charset=utf-8' }));
  const link = Object.assign(document.createElement('a'), {
    href: url,
    download: `${name}-${suffix}.csv`,
  });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
  return true;
}
