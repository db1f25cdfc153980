import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { locales } from '#lib/paraglide/runtime.js';
import { loadLegalText } from './legal';

describe('loadLegalText', () => {
	let dir: string | undefined;

	afterEach(() => {
		if (dir) rmSync(dir, { recursive: true, force: true });
		dir = undefined;
	});

	it.each(locales)('ships an imprint and a privacy template in %s', async (locale) => {
		for (const document of ['imprint', 'privacy'] as const) {
			const text = await loadLegalText(document, locale);
			expect(text.lang).toBe(locale);
			expect(text.fallback).toBe(false);
			expect(text.html).toMatch(/<blockquote>/);
			expect(text.html).toMatch(/<h2>/);
		}
	});

	it('falls back to the German text and says so when a translation is missing', async () => {
		dir = mkdtempSync(join(tmpdir(), 'legal-'));
		writeFileSync(join(dir, 'imprint.de.md'), '# Anbieter\nWerkstatt e. V.');
		const text = await loadLegalText('imprint', 'fa', dir);
		expect(text).toEqual({
			html: '<h2>Anbieter</h2>\n<p>Werkstatt e. V.</p>',
			lang: 'de',
			fallback: true
		});
	});

	it('fails loudly when even the German text is missing', async () => {
		dir = mkdtempSync(join(tmpdir(), 'legal-'));
		await expect(loadLegalText('privacy', 'de', dir)).rejects.toThrow(/privacy\.de\.md/);
	});
});
