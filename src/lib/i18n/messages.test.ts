import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '@inlang/paraglide-js';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const settings = JSON.parse(readFileSync(join(root, 'project.inlang/settings.json'), 'utf8')) as {
	baseLocale: string;
	locales: string[];
	modules: string[];
	'plugin.inlang.messageFormat': { pathPattern: string | string[] };
};

type Messages = Record<string, string>;

/** Each feature area keeps its own message files; every configured pattern is one area. */
const patterns = [settings['plugin.inlang.messageFormat'].pathPattern].flat();
const areaName = (pattern: string) =>
	pattern.replace('./src/lib/i18n/messages', '').replace('/{locale}.json', '') || 'main';
const messagesDir = join(import.meta.dirname, 'messages');

function loadArea(pattern: string, locale: string): Messages {
	const raw = JSON.parse(
		readFileSync(join(root, pattern.replace('{locale}', locale)), 'utf8')
	) as Messages;
	const { $schema: _schema, ...messages } = raw;
	return messages;
}

/** All messages of a locale across areas. */
function load(locale: string): Messages {
	return Object.assign({}, ...patterns.map((pattern) => loadArea(pattern, locale))) as Messages;
}

function placeholders(text: string): string[] {
	return [...text.matchAll(/\{\s*([A-Za-z_][\w]*)\s*\}/g)].map((match) => match[1]).sort();
}

/** Keys that are the same in every language on purpose (the project's name). */
const sameEverywhere = new Set(['site_name']);

const base = load(settings.baseLocale);
const baseKeys = Object.keys(base).sort();

describe('message areas', () => {
	it.each(patterns.map((pattern) => [areaName(pattern), pattern]))(
		'%s has a file for every locale and no key of another area',
		(_area, pattern) => {
			const own = Object.keys(loadArea(pattern, settings.baseLocale));
			const others = patterns
				.filter((other) => other !== pattern)
				.flatMap((other) => Object.keys(loadArea(other, settings.baseLocale)));
			expect(own.filter((key) => others.includes(key))).toEqual([]);
			for (const locale of settings.locales) {
				expect(Object.keys(loadArea(pattern, locale)).sort(), locale).toEqual(own.sort());
			}
		}
	);
});

describe('UI messages', () => {
	it('has a message file for exactly the configured locales', () => {
		const files = readdirSync(messagesDir)
			.filter((file) => file.endsWith('.json'))
			.map((file) => file.replace(/\.json$/, ''))
			.sort();
		expect(files).toEqual([...settings.locales].sort());
	});

	it('loads the message-format plugin from node_modules, not from a CDN', () => {
		for (const module of settings.modules) {
			expect(module).toMatch(/^\.\/node_modules\//);
		}
	});

	it('compiles to message functions that contain the real texts', async () => {
		// An unloadable plugin makes paraglide "succeed" with empty messages; this catches it.
		const outdir = mkdtempSync(join(tmpdir(), 'paraglide-'));
		try {
			await compile({
				project: join(root, 'project.inlang'),
				outdir,
				emitReadme: false
			});
			const compiled = readFileSync(join(outdir, 'messages', 'home_title.js'), 'utf8');
			for (const locale of settings.locales) {
				expect(compiled).toContain(load(locale).home_title);
			}
		} finally {
			rmSync(outdir, { recursive: true, force: true });
		}
	}, 60_000);

	it('uses snake_case keys with a domain prefix', () => {
		for (const key of baseKeys) {
			expect(key).toMatch(/^[a-z]+_[a-z0-9_]+$/);
		}
	});

	describe.each(settings.locales)('%s', (locale) => {
		const messages = load(locale);

		it('has every key of the base locale and no extra ones', () => {
			expect(Object.keys(messages).sort()).toEqual(baseKeys);
		});

		it('has no empty values', () => {
			for (const [key, value] of Object.entries(messages)) {
				expect(value.trim(), key).not.toBe('');
			}
		});

		it('uses the same placeholders as the base locale', () => {
			for (const key of baseKeys) {
				expect(placeholders(messages[key] ?? ''), key).toEqual(placeholders(base[key]));
			}
		});
	});

	// A few words are the same in German or Ukrainian UI text ("Status", "Workshop", "Detail"),
	// so a handful of equal strings is fine; a file that copies English wholesale is not.
	it.each(settings.locales.filter((locale) => locale !== 'en'))(
		'%s is translated, not an English copy',
		(locale) => {
			const english = load('en');
			const messages = load(locale);
			const copied = baseKeys.filter(
				(key) => !sameEverywhere.has(key) && messages[key] === english[key]
			);
			expect(copied.length / baseKeys.length, copied.join(', ')).toBeLessThan(0.05);
		}
	);
});
