import { localeNames } from '#lib/i18n/locales.ts';

/**
 * Names and writing directions of content languages. Texts are tagged with free BCP-47 tags
 * (participants write in ~40 languages), so this never assumes the five UI locales.
 */

/** Primary subtags of scripts written right to left (Arabic, Hebrew, Syriac, Thaana, N'Ko, Adlam). */
const RTL_LANGUAGES: ReadonlySet<string> = new Set([
	'ar',
	'arc',
	'ckb',
	'dv',
	'fa',
	'glk',
	'he',
	'iw',
	'ji',
	'ks',
	'ku-arab',
	'lrc',
	'mzn',
	'nqo',
	'pnb',
	'ps',
	'prs',
	'sd',
	'syr',
	'ug',
	'ur',
	'yi'
]);
const RTL_SCRIPTS: ReadonlySet<string> = new Set(['arab', 'hebr', 'syrc', 'thaa', 'nkoo', 'adlm']);
const LTR_SCRIPTS: ReadonlySet<string> = new Set(['latn', 'cyrl']);

/** Writing direction of a BCP-47 tag; an explicit script subtag wins over the language. */
export function languageDirection(tag: string): 'ltr' | 'rtl' {
	const parts = tag.toLowerCase().split(/[-_]/);
	const script = parts.find((part, i) => i > 0 && part.length === 4);
	if (script && RTL_SCRIPTS.has(script)) return 'rtl';
	if (script && LTR_SCRIPTS.has(script)) return 'ltr';
	return RTL_LANGUAGES.has(parts[0]) ? 'rtl' : 'ltr';
}

// The UI languages are named from a table: building an Intl.DisplayNames (or upper-casing) for a
// locale loads that locale's ICU data, about 15 ms each on a phone while the gallery hydrates.
const ownNames = new Map<string, string>(Object.entries(localeNames));

/** The language's name in itself ("Українська", "فارسی"), so its readers recognise it. */
export function languageName(tag: string): string {
	let name = ownNames.get(tag);
	if (name === undefined) {
		try {
			name = new Intl.DisplayNames([tag], { type: 'language' }).of(tag) ?? tag;
			name = name.charAt(0).toLocaleUpperCase(tag) + name.slice(1);
		} catch {
			name = tag;
		}
		ownNames.set(tag, name);
	}
	return name;
}

/** Whether a text in `tag` suits a reader of UI locale `locale` ("de-AT" suits "de"). */
export function matchesLocale(tag: string, locale: string): boolean {
	return tag.toLowerCase().split(/[-_]/)[0] === locale.toLowerCase();
}
