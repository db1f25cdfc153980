import type { Handle } from '@sveltejs/kit/hooks';
import { hasLocalePrefix } from '#lib/i18n/href.ts';
import { locales, textDirection } from '#lib/i18n/locales.ts';
import { paraglideMiddleware } from '#lib/paraglide/server.js';

/**
 * Resolves the UI locale (URL prefix, then cookie, then Accept-Language, then German), redirects
 * unprefixed document requests to the prefixed URL and fills `%lang%` and `%dir%` in app.html.
 * What an unprefixed URL answers (`/feed.xml`) depends on the cookie and Accept-Language, so its
 * response says so in `Vary`, and shared caches keep one copy per language.
 */
export const i18nHandle: Handle = async ({ event, resolve }) => {
	// The framework sees the original request: reroute (hooks.ts) maps /ar/… to its route, so the
	// delocalized request paraglide offers would only lose the prefix (paraglideMiddleware's docs).
	let response = await paraglideMiddleware(
		event.request,
		({ locale }) => {
			event.locals.locale = locale;
			const dir = textDirection(locale);
			return resolve(event, {
				transformPageChunk: ({ html }) => html.replace('%lang%', locale).replace('%dir%', dir)
			});
		},
		{ effectiveRequestUrl: chosenLanguageUrl(event.url) }
	);
	if (hasLocalePrefix(event.url.pathname)) return response;
	const vary = languageVary(response.headers.get('vary'));
	if (!vary) return response;
	try {
		response.headers.set('vary', vary);
	} catch {
		// A response passed through from fetch() has immutable headers: copy it first.
		response = new Response(response.body, response);
		response.headers.set('vary', vary);
	}
	return response;
};

/**
 * An embed page names its language with `?lang=` (the organisation's site picks it per frame):
 * `/embed/story/x?lang=ar` is read as `/ar/embed/story/x?lang=ar`, without a redirect. Other
 * URLs, and embed URLs without a valid `lang`, keep the usual order (prefix, cookie, browser).
 */
export function chosenLanguageUrl(url: URL): URL | undefined {
	const lang = url.searchParams.get('lang');
	if (!lang || !(locales as readonly string[]).includes(lang)) return undefined;
	if (!/^\/embed\//.test(url.pathname)) return undefined;
	return new URL(`/${lang}${url.pathname}${url.search}`, url);
}

/** `vary` plus Accept-Language and Cookie; null when it already varies on everything. */
export function languageVary(vary: string | null): string | null {
	const names = (vary ?? '')
		.split(',')
		.map((name) => name.trim())
		.filter(Boolean);
	if (names.includes('*')) return null;
	for (const name of ['Accept-Language', 'Cookie']) {
		if (!names.some((n) => n.toLowerCase() === name.toLowerCase())) names.push(name);
	}
	return names.join(', ');
}
