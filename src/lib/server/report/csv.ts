/**
 * CSV as Excel and LibreOffice open it without an import dialog: UTF-8 with a byte order mark,
 * RFC 4180 quoting (fields with a comma, quote or line break in double quotes, quotes doubled)
 * and CRLF line ends.
 */
const NEEDS_QUOTES = /[",\r\n]/;
// A cell starting with one of these is a formula to a spreadsheet (OWASP "CSV injection").
const FORMULA_START = /^[=+\-@\t\r]/;

/** One field, quoted where RFC 4180 needs it; text that would run as a formula is defused. */
export function csvField(value: string | number): string {
	let text = String(value);
	if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
	return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The whole file: BOM, one record per row, each ended by CRLF. */
export function toCsv(rows: readonly (readonly (string | number)[])[]): string {
	return '\uFEFF' + rows.map((row) => row.map(csvField).join(',') + '\r\n').join('');
}
