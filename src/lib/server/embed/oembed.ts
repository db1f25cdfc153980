import { locales, type Locale } from '#lib/i18n/locales.ts';
import type { GalleryPhoto } from '#lib/components/gallery/types.ts';

/**
 * oEmbed 1.0 (https://oembed.com): what a CMS gets when someone pastes a piece's, story's or
 * workshop gallery's address. The answer is always `rich`: an iframe of the embed page, so the
 * frame shows exactly what the embed page shows (and a withdrawal reaches it at once), and the
 * JSON holds no user text beyond title and credit.
 */

export type EmbedKind = 'piece' | 'story' | 'workshop';

export interface EmbedTarget {
	kind: EmbedKind;
	/** Piece id, story slug or id, workshop id or slug, as the address names it. */
	key: string;
	/** The language the address names (prefix or `?lang=`), if any. */
	locale: Locale | null;
}

/** Frame sizes when the consumer sets no limit: a portrait card, a long read, a grid. */
export const DEFAULT_SIZES: Record<EmbedKind, { width: number; height: number }> = {
	piece: { width: 480, height: 720 },
	story: { width: 640, height: 900 },
	workshop: { width: 720, height: 640 }
};

/** Seconds a consumer may keep the answer, as long as a shared cache keeps the public pages. */
export const CACHE_AGE = 300;

const LOCALE = `(?:/(${locales.join('|')}))?`;
const PATTERNS: [RegExp, (match: RegExpExecArray) => Omit<EmbedTarget, 'locale'>][] = [
	[new RegExp(`^${LOCALE}/pieces/([^/]+)/?$`), (m) => ({ kind: 'piece', key: m[2] })],
	[new RegExp(`^${LOCALE}/stories/([^/]+)/?$`), (m) => ({ kind: 'story', key: m[2] })],
	[
		new RegExp(`^${LOCALE}/embed/(piece|story|workshop)/([^/]+)/?$`),
		(m) => ({ kind: m[2] as EmbedKind, key: m[3] })
	]
];

function isLocale(value: string | null | undefined): value is Locale {
	return (locales as readonly (string | null | undefined)[]).includes(value);
}

/**
 * The embed a pasted address names, or null when it names none of this gallery's pieces, stories
 * or workshop galleries (another site's address included: it must be on `origin`).
 */
export function embedTargetOf(address: string, origin: string): EmbedTarget | null {
	let url: URL;
	try {
		url = new URL(address);
	} catch {
		return null;
	}
	if (url.origin !== origin || url.username || url.password) return null;
	let path: string;
	try {
		path = decodeURIComponent(url.pathname);
	} catch {
		return null;
	}
	const lang = url.searchParams.get('lang');
	for (const [pattern, target] of PATTERNS) {
		const match = pattern.exec(path);
		if (!match) continue;
		const prefix = match[1];
		return { ...target(match), locale: isLocale(prefix) ? prefix : isLocale(lang) ? lang : null };
	}
	// A workshop's gallery: /gallery?workshop=<slug> and nothing else filtered.
	const gallery = new RegExp(`^${LOCALE}/gallery/?$`).exec(path);
	const workshop = url.searchParams.get('workshop');
	const filtered = ['theme', 'lang', 'q'].some((name) => url.searchParams.get(name));
	if (gallery && workshop && !filtered) {
		return { kind: 'workshop', key: workshop, locale: isLocale(gallery[1]) ? gallery[1] : null };
	}
	return null;
}

export type Limits = { maxwidth: number | null; maxheight: number | null };

/**
 * `maxwidth` and `maxheight` as the spec has them: optional positive integers. Null when one is
 * present but not such a number (the caller answers 400).
 */
export function parseLimits(params: URLSearchParams): Limits | { invalid: string } {
	const limits: Limits = { maxwidth: null, maxheight: null };
	for (const name of ['maxwidth', 'maxheight'] as const) {
		const value = params.get(name);
		if (value === null || value === '') continue;
		if (!/^[1-9][0-9]{0,4}$/.test(value)) return { invalid: name };
		limits[name] = Number(value);
	}
	return limits;
}

/** The frame's size: the default for the kind, within the consumer's limits. */
export function frameSize(kind: EmbedKind, limits: Limits): { width: number; height: number } {
	const { width, height } = DEFAULT_SIZES[kind];
	return {
		width: Math.min(width, limits.maxwidth ?? width),
		height: Math.min(height, limits.maxheight ?? height)
	};
}

export interface Thumbnail {
	url: string;
	width: number;
	height: number;
}

/**
 * The largest published JPEG derivative of `photo` that fits the limits (the spec holds
 * thumbnails to maxwidth/maxheight too); null when the photo has none or none fits.
 */
export function thumbnailOf(photo: GalleryPhoto | undefined, limits: Limits): Thumbnail | null {
	if (!photo?.srcset) return null;
	const candidates = photo.srcset
		.split(',')
		.map((entry) => /^\s*(\S+)\s+(\d+)w\s*$/.exec(entry))
		.flatMap((match) => {
			if (!match) return [];
			const width = Number(match[2]);
			const height = Math.round((width * photo.height) / photo.width);
			return [{ url: match[1], width, height }];
		})
		.filter(
			(t) => t.width <= (limits.maxwidth ?? Infinity) && t.height <= (limits.maxheight ?? Infinity)
		)
		.sort((a, b) => b.width - a.width);
	return candidates[0] ?? null;
}

function escapeAttribute(value: string): string {
	return value
		.replace(/&/g, '&amp;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&#39;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;');
}

/**
 * The iframe markup. Only attributes WordPress keeps for providers it discovered (src, width,
 * height, title, frameborder; it strips the rest and adds its own sandbox), so the frame looks
 * the same there as anywhere else.
 */
export function iframeHtml(src: string, size: { width: number; height: number }, title: string) {
	return `<iframe src="${escapeAttribute(src)}" width="${size.width}" height="${size.height}" title="${escapeAttribute(title)}" frameborder="0"></iframe>`;
}

export interface OembedRich {
	type: 'rich';
	version: '1.0';
	title: string;
	author_name?: string;
	provider_name: string;
	provider_url: string;
	cache_age: number;
	thumbnail_url?: string;
	thumbnail_width?: number;
	thumbnail_height?: number;
	html: string;
	width: number;
	height: number;
}

/** The response object: required fields for `rich`, the thumbnail only as the complete triple. */
export function oembedResponse(input: {
	embedUrl: string;
	title: string;
	authorName: string | null;
	providerName: string;
	providerUrl: string;
	size: { width: number; height: number };
	thumbnail: Thumbnail | null;
}): OembedRich {
	return {
		type: 'rich',
		version: '1.0',
		title: input.title,
		...(input.authorName ? { author_name: input.authorName } : {}),
		provider_name: input.providerName,
		provider_url: input.providerUrl,
		cache_age: CACHE_AGE,
		...(input.thumbnail
			? {
					thumbnail_url: input.thumbnail.url,
					thumbnail_width: input.thumbnail.width,
					thumbnail_height: input.thumbnail.height
				}
			: {}),
		html: iframeHtml(input.embedUrl, input.size, input.title),
		width: input.size.width,
		height: input.size.height
	};
}

/** The embed page's address for a target, in the language the pasted address named. */
export function embedPageUrl(origin: string, kind: EmbedKind, key: string, locale: Locale | null) {
	return `${origin}${locale ? `/${locale}` : ''}/embed/${kind}/${encodeURIComponent(key)}`;
}
