import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The five UI locales, the base locale first. */
export const locales = ['de', 'en', 'uk', 'ar', 'fa'] as const;
export type Locale = (typeof locales)[number];

export const rtl: ReadonlySet<Locale> = new Set(['ar', 'fa']);

const messagesDir = join(import.meta.dirname, '../../src/lib/i18n/messages');

/** The UI messages of one locale, read from the same files the app compiles. */
export function messages(locale: Locale): Record<string, string> {
	return JSON.parse(readFileSync(join(messagesDir, `${locale}.json`), 'utf8')) as Record<
		string,
		string
	>;
}

/** The public pages of this issue with the message that is their `<h1>`. */
export const pages = [
	{ path: '', title: 'home_title' },
	{ path: 'about', title: 'about_title' },
	{ path: 'privacy', title: 'legal_privacy_title' },
	{ path: 'imprint', title: 'legal_imprint_title' },
	{ path: 'this-page-does-not-exist', title: 'error_not_found_title', status: 404 }
] as const;
