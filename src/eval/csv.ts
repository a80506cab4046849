/** RFC 4180 quoting: class names are folder names and may hold commas or quotes. */
function cell(value: string | number | null): string {
  if (value === null) return '';
  const s = typeof value === 'number' ? formatNumber(value) : value;
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Math.round(n * 1e4) / 1e4);
}

export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  return [header.join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
}
