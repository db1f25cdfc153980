import type { Handle } from '@sveltejs/kit';
import { textDirection } from '$lib/i18n/locales';
import { paraglideMiddleware } from '$lib/paraglide/server';

/**
 * Resolves the UI locale (URL prefix, then cookie, then Accept-Language, then German), redirects
 * unprefixed document requests to the prefixed URL and fills `%lang%` and `%dir%` in app.html.
 */
export const i18nHandle: Handle = ({ event, resolve }) =>
	paraglideMiddleware(event.request, ({ request, locale }) => {
		event.request = request;
		event.locals.locale = locale;
		const dir = textDirection(locale);
		return resolve(event, {
			transformPageChunk: ({ html }) => html.replace('%lang%', locale).replace('%dir%', dir)
		});
	});
