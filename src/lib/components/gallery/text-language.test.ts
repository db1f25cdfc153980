import { describe, expect, it } from 'vitest';
import { languageDirection, languageName, matchesLocale } from './text-language';
import { parseView, withView } from './view';

describe('languageDirection', () => {
	it('knows right-to-left languages beyond the UI locales', () => {
		for (const tag of ['ar', 'fa', 'he', 'ur', 'ps', 'ckb', 'dv', 'yi', 'ar-SY', 'fa-AF']) {
			expect(languageDirection(tag), tag).toBe('rtl');
		}
		for (const tag of ['de', 'en', 'uk', 'ru', 'tr', 'ku', 'ti']) {
			expect(languageDirection(tag), tag).toBe('ltr');
		}
	});

	it('lets an explicit script subtag decide', () => {
		expect(languageDirection('ku-Arab')).toBe('rtl');
		expect(languageDirection('pa-Arab')).toBe('rtl');
		expect(languageDirection('az-Latn')).toBe('ltr');
		expect(languageDirection('uz-Cyrl')).toBe('ltr');
	});
});

describe('languageName', () => {
	it('names a language in itself, capitalised', () => {
		expect(languageName('uk')).toBe('Українська');
		expect(languageName('fa')).toBe('فارسی');
		expect(languageName('de')).toBe('Deutsch');
	});

	it('names the UI languages from its table as Intl names them', () => {
		for (const tag of ['de', 'en', 'uk', 'ar', 'fa']) {
			const intl = new Intl.DisplayNames([tag], { type: 'language' }).of(tag) ?? tag;
			expect(languageName(tag), tag).toBe(intl.charAt(0).toLocaleUpperCase(tag) + intl.slice(1));
		}
	});

	it('falls back to the tag for something Intl cannot name', () => {
		expect(languageName('not a tag')).toBe('not a tag');
	});
});

describe('matchesLocale', () => {
	it('matches on the primary subtag', () => {
		expect(matchesLocale('de-AT', 'de')).toBe(true);
		expect(matchesLocale('en', 'de')).toBe(false);
	});
});

describe('gallery views in URLs', () => {
	it('keeps valid parameters and drops malformed ones', () => {
		const view = parseView(
			new URLSearchParams('q=%20дім%20&workshop=stichwerk-neustadt&theme=Bad%20Slug&lang=uk')
		);
		expect(view).toEqual({ q: 'дім', workshop: 'stichwerk-neustadt', lang: 'uk' });
	});

	it('writes a stable URL, bare for the whole gallery', () => {
		expect(withView('/gallery', {})).toBe('/gallery');
		expect(withView('/gallery', { lang: 'ar', q: 'جسر' }, { page: '2' })).toBe(
			'/gallery?q=%D8%AC%D8%B3%D8%B1&lang=ar&page=2'
		);
	});
});
