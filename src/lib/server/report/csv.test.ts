import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvField, toCsv } from './csv';

describe('toCsv', () => {
	const rows = [
		['Bereich', 'Angabe', 'Zahl'],
		['Workshops', 'Teilnehmende (verschiedene Personen)', 12],
		['Sprachen', 'Українська (uk)', '< 5'],
		['اللغات', 'العربية (ar)', 7],
		['Auswahl', 'Workshop', 'Stickerei "Heimat", Teil 2\nzweite Zeile'],
		['Auswahl', 'Ort', '=HYPERLINK("http://example.org")']
	];
	const text = toCsv(rows);

	it('starts with a byte order mark and ends every record with CRLF', () => {
		expect(text.startsWith('\uFEFF')).toBe(true);
		expect(text.endsWith('\r\n')).toBe(true);
		// Line breaks inside a quoted field stay as they are; records end with CRLF only.
		expect(text.replace(/"[^"]*(?:""[^"]*)*"/g, '').match(/\n/g)?.length).toBe(rows.length);
		expect(text.replace(/"[^"]*(?:""[^"]*)*"/g, '')).not.toMatch(/[^\r]\n/);
	});

	it('parses back to the same cells with a real CSV parser (RFC 4180)', () => {
		const parsed = parse(text, { bom: true, relax_column_count: false }) as string[][];
		expect(parsed).toEqual(
			rows.map((row) =>
				row.map((cell) =>
					typeof cell === 'string' && cell.startsWith('=') ? `'${cell}` : String(cell)
				)
			)
		);
	});

	it('quotes only where needed and doubles quotes', () => {
		expect(csvField('plain')).toBe('plain');
		expect(csvField('a,b')).toBe('"a,b"');
		expect(csvField('say "hi"')).toBe('"say ""hi"""');
		expect(csvField(42)).toBe('42');
	});

	it('defuses text a spreadsheet would run as a formula', () => {
		for (const start of ['=', '+', '-', '@']) expect(csvField(`${start}1+1`)).toBe(`'${start}1+1`);
		expect(csvField(-3)).toBe('-3');
	});
});
