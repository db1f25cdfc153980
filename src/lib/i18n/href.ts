import {
	deLocalizeHref as paraglideDeLocalizeHref,
	getLocale,
	locales,
	localizeHref as paraglideLocalizeHref,
	type Locale
} from '#lib/paraglide/runtime.js';

/**
 * Fast paths for paraglide's `localizeHref` and `deLocalizeHref`. Ours are plain locale prefixes
 * (`/de/…`, `/ar/…`, see scripts/paraglide.ts), but paraglide matches every href against URL
 * patterns with a URLPattern polyfill: profiling the layout's render showed a third of the server's
 * time there, and the same calls run again while the page hydrates on a cheap phone. Same-origin
 * paths take the shortcut; anything else (absolute URLs, `//host`) goes to paraglide. href.test.ts
 * holds both to paraglide's answers.
 */

const PREFIX = new RegExp(`^/(?:${locales.join('|')})(?=/|$)`);
const BASE = 'http://localhost';

/** Whether the path names its language (`/ar/about`, `/de`), unlike `/feed.xml` or `/`. */
export function hasLocalePrefix(pathname: string): boolean {
	return PREFIX.test(pathname);
}

/** The path without its locale prefix: `/ar/about` → `/about`, `/de` → `/`. */
export function stripLocalePrefix(pathname: string): string {
	return pathname.replace(PREFIX, '') || '/';
}

function sameOriginPath(href: string): URL | null {
	if (!href.startsWith('/') || href.startsWith('//')) return null;
	const url = new URL(href, BASE);
	return url.origin === BASE ? url : null;
}

/** `href` in `locale` (default: the current one), e.g. `/gallery?q=x` → `/uk/gallery?q=x`. */
export function localizeHref(href: string, options?: { locale?: Locale }): string {
	const url = sameOriginPath(href);
	if (!url) return paraglideLocalizeHref(href, options);
	const locale = options?.locale ?? getLocale();
	// A bare `/de` stays bare in the new locale (`/uk`), as paraglide has it; `/` becomes `/uk/`.
	return `/${locale}${url.pathname.replace(PREFIX, '')}${url.search}${url.hash}`;
}

/** `href` without its locale prefix, e.g. `/uk/gallery?q=x` → `/gallery?q=x`. */
export function deLocalizeHref(href: string): string {
	const url = sameOriginPath(href);
	if (!url) return paraglideDeLocalizeHref(href);
	return `${stripLocalePrefix(url.pathname)}${url.search}${url.hash}`;
}
