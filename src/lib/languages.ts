/**
 * The languages participants write their texts in (BCP 47 tags, stored as `public.language_tag`),
 * each shown by its own name, and the direction its script runs in. These are content languages,
 * not UI languages: the UI speaks five, participants write in about forty.
 */
export const TEXT_LANGUAGES = [
	'de',
	'en',
	'uk',
	'ru',
	'ar',
	'fa',
	'prs',
	'ps',
	'ku',
	'ckb',
	'tr',
	'ku',
	'ti',
	'am',
	'so',
	'sw',
	'fr',
	'es',
	'it',
	'pt',
	'pl',
	'cs',
	'sk',
	'hu',
	'ro',
	'bg',
	'sr',
	'hr',
	'bs',
	'sq',
	'el',
	'ka',
	'hy',
	'az',
	'he',
	'ur',
	'hi',
	'bn',
	'ta',
	'vi',
	'zh',
	'ja',
	'ko',
	'th',
	'id',
	'tl',
	'nl',
	'sv',
	'fi',
	'lt',
	'lv'
].filter((tag, index, all) => all.indexOf(tag) === index);

/** Scripts that run right to left, by language subtag. */
const RTL = new Set(['ar', 'fa', 'prs', 'ps', 'ckb', 'he', 'ur', 'yi', 'dv', 'sd', 'ug']);

const TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$/;

/** True for a tag the database's `language_tag` domain accepts and we offer. */
export function isTextLanguage(tag: string): boolean {
	return TAG.test(tag) && (TEXT_LANGUAGES as readonly string[]).includes(tag);
}

/** Text direction for a language tag (`rtl` for Arabic, Persian, Pashto, Sorani, Hebrew, Urdu …). */
export function languageDir(tag: string): 'ltr' | 'rtl' {
	return RTL.has(tag.split('-')[0].toLowerCase()) ? 'rtl' : 'ltr';
}

/** The language's name in itself ("Українська", "فارسی"), falling back to the tag. */
export function languageName(tag: string): string {
	try {
		const name = new Intl.DisplayNames([tag], { type: 'language' }).of(tag);
		if (!name || name === tag) return tag;
		return name.charAt(0).toLocaleUpperCase(tag) + name.slice(1);
	} catch {
		return tag;
	}
}

/** The language's name in the reader's UI language, for a second line beside its own name. */
export function languageNameIn(tag: string, locale: string): string {
	try {
		return new Intl.DisplayNames([locale], { type: 'language' }).of(tag) ?? tag;
	} catch {
		return tag;
	}
}
