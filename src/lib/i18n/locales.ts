import { locales, type Locale } from '#lib/paraglide/runtime.js';

/** Each language named in itself, so a reader finds theirs without knowing the current one. */
export const localeNames: Record<Locale, string> = {
	de: 'Deutsch',
	en: 'English',
	uk: 'Українська',
	ar: 'العربية',
	fa: 'فارسی'
};

const rtlLocales: ReadonlySet<string> = new Set(['ar', 'fa']);

/** Writing direction of a UI locale, for `dir` attributes. */
export function textDirection(locale: string): 'ltr' | 'rtl' {
	return rtlLocales.has(locale) ? 'rtl' : 'ltr';
}

export { locales, type Locale };
