import { isHttpError, json } from '@sveltejs/kit';
import { publicCacheHeaders } from '#lib/server/gallery/cache.ts';
import { embedPiece, embedStory, embedWorkshop } from '#lib/server/embed/content.ts';
import {
	embedPageUrl,
	embedTargetOf,
	frameSize,
	oembedResponse,
	parseLimits,
	thumbnailOf,
	type EmbedTarget,
	type Limits,
	type OembedRich
} from '#lib/server/embed/oembed.ts';
import { m } from '#lib/paraglide/messages.js';
import type { Locale } from '#lib/i18n/locales.ts';
import type { RequestHandler } from './$types';

/** An error as JSON: a stable code and a sentence for the developer reading it. */
function failure(status: number, code: string, message: string): Response {
	return json(
		{ error: code, message },
		{ status, headers: { 'cache-control': 'no-store', 'access-control-allow-origin': '*' } }
	);
}

async function describe(
	target: EmbedTarget,
	locale: Locale,
	origin: string,
	limits: Limits
): Promise<OembedRich> {
	const common = {
		providerName: m.site_name({}, { locale }),
		providerUrl: `${origin}/`,
		size: frameSize(target.kind, limits)
	};
	if (target.kind === 'piece') {
		const { piece } = await embedPiece(locale, target.key);
		return oembedResponse({
			...common,
			embedUrl: embedPageUrl(origin, 'piece', piece.id, target.locale),
			title: piece.shown.title,
			// The credit the participant chose, as the gallery shows it.
			authorName: piece.attribution ?? m.gallery_attribution_anonymous({}, { locale }),
			thumbnail: thumbnailOf(piece.photos[0], limits)
		});
	}
	if (target.kind === 'story') {
		const { story } = await embedStory(locale, target.key);
		return oembedResponse({
			...common,
			embedUrl: embedPageUrl(origin, 'story', story.slug, target.locale),
			title: story.title,
			authorName: null,
			thumbnail: thumbnailOf(story.cover ?? undefined, limits)
		});
	}
	const workshop = await embedWorkshop(locale, target.key);
	return oembedResponse({
		...common,
		embedUrl: embedPageUrl(origin, 'workshop', workshop.slug, target.locale),
		title: workshop.title,
		authorName: null,
		thumbnail: thumbnailOf(workshop.pieces[0]?.photos[0], limits)
	});
}

/**
 * The oEmbed endpoint (https://oembed.com §2): `?url=<a piece, story or workshop gallery address>`
 * with optional `maxwidth`, `maxheight` and `format` (json only; xml is 501 as §2.3.4 allows).
 * Discovery links on the piece and story pages point here, which is all WordPress needs.
 */
export const GET: RequestHandler = async ({ url, locals }) => {
	const format = url.searchParams.get('format') ?? 'json';
	if (format !== 'json') {
		return failure(501, 'format_not_implemented', 'Only format=json is available.');
	}
	const address = url.searchParams.get('url');
	if (!address) return failure(400, 'url_missing', 'The url parameter is required.');
	const limits = parseLimits(url.searchParams);
	if ('invalid' in limits) {
		return failure(
			400,
			`${limits.invalid}_invalid`,
			`${limits.invalid} must be a positive whole number of pixels.`
		);
	}
	const target = embedTargetOf(address, url.origin);
	if (!target) {
		return failure(
			404,
			'url_not_embeddable',
			`No piece, story or workshop gallery at ${url.origin} has this address.`
		);
	}
	let body: OembedRich;
	try {
		body = await describe(target, target.locale ?? locals.locale, url.origin, limits);
	} catch (caught) {
		if (isHttpError(caught, 410)) {
			return failure(410, caught.body.code ?? 'gone', 'This is no longer on show.');
		}
		if (isHttpError(caught, 404)) {
			return failure(404, caught.body.code ?? 'not_found', 'Nothing is on show at this address.');
		}
		throw caught;
	}
	const text = JSON.stringify(body);
	return new Response(text, {
		headers: {
			'content-type': 'application/json; charset=utf-8',
			// Public data, read by CMS servers and by browser-side consumers alike.
			'access-control-allow-origin': '*',
			...publicCacheHeaders(text)
		}
	});
};
