import {
	deLocalizeHref as runtimeDeLocalizeHref,
	getLocale,
	localizeHref as runtimeLocalizeHref,
	locales,
	type Locale
} from '$lib/paraglide/runtime';

/**
 * Link helpers for the one URL scheme we use: every language under its own prefix (`/de/…`,
 * `/ar/…`, see scripts/paraglide.ts). They give the same results as the paraglide runtime's, as
 * string operations: the runtime builds and runs up to six URLPatterns for each link, which cost
 * a gallery page about 70 ms of main thread on every render (and needs a polyfill in Node and in
 * older browsers). Anything but a root-relative href goes to the runtime.
 */

/** The locale prefix of a root-relative href (`/de`, `/de/…`, `/de?…`) and what follows it. */
const PREFIX = new RegExp(`^/(?:${locales.join('|')})(?=[/?#]|$)`);

function isRootRelative(href: string): boolean {
	return href.startsWith('/') && !href.startsWith('//');
}

/** `href` in `options.locale` (default: the current one): `/gallery` → `/de/gallery`. */
export function localizeHref(href: string, options?: { locale?: Locale }): string {
	if (!isRootRelative(href)) return runtimeLocalizeHref(href, options);
	const locale = options?.locale ?? getLocale();
	const prefix = PREFIX.exec(href);
	return `/${locale}${prefix ? href.slice(prefix[0].length) : href}`;
}

/** `href` without its locale prefix: `/ar/pieces/1` → `/pieces/1`, `/de` → `/`. */
export function deLocalizeHref(href: string): string {
	if (!isRootRelative(href)) return runtimeDeLocalizeHref(href);
	const prefix = PREFIX.exec(href);
	if (!prefix) return href;
	const rest = href.slice(prefix[0].length);
	return rest.startsWith('/') ? rest : `/${rest}`;
}
