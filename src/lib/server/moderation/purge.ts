/*
 * Cache purging after a piece enters or leaves the gallery. The app's own pages are cached by
 * browsers only with revalidation (see gallery/cache.ts), but a CDN or reverse proxy in front may
 * hold them for minutes: `CACHE_PURGE_URL` names a webhook that receives the affected URLs and
 * path prefixes (`POST {urls, prefixes}` as JSON, `Authorization: Bearer CACHE_PURGE_TOKEN` when
 * set) and purges them. Unset, purging is a no-op.
 */

const LOCALES = ['de', 'en', 'uk', 'ar', 'fa'];

export interface PurgeRequest {
	/** Exact pages: the piece in every language, the feeds. */
	urls: string[];
	/** Pages with query strings (gallery filters and pages): purge everything under these. */
	prefixes: string[];
}

/**
 * Everything public that may show the piece, absolute on `siteUrl`: its pages, the feeds, the
 * gallery, and the embed pages and oEmbed answers other sites frame (the piece's own embed, and
 * the story and workshop embeds it may appear in, under their prefixes).
 */
export function affectedUrls(siteUrl: string, pieceId: string): PurgeRequest {
	const base = siteUrl.replace(/\/$/, '');
	return {
		urls: [
			...LOCALES.flatMap((l) => [`${base}/${l}/pieces/${pieceId}`, `${base}/${l}`]),
			`${base}/pieces/${pieceId}`,
			...LOCALES.map((l) => `${base}/${l}/embed/piece/${pieceId}`),
			`${base}/embed/piece/${pieceId}`,
			`${base}/`,
			`${base}/feed.xml`,
			`${base}/sitemap.xml`
		],
		prefixes: [
			...LOCALES.map((l) => `${base}/${l}/gallery`),
			`${base}/gallery`,
			...LOCALES.map((l) => `${base}/${l}/embed/`),
			`${base}/embed/`,
			`${base}/oembed`
		]
	};
}

export interface Purger {
	readonly enabled: boolean;
	purge(request: PurgeRequest): Promise<void>;
}

/** A purger for the webhook at `url`, or a no-op without one. */
export function createPurger(url: string | undefined, token?: string): Purger {
	if (!url) return { enabled: false, purge: async () => undefined };
	return {
		enabled: true,
		async purge(request) {
			const response = await fetch(url, {
				method: 'POST',
				headers: {
					'content-type': 'application/json',
					...(token ? { authorization: `Bearer ${token}` } : {})
				},
				body: JSON.stringify(request),
				signal: AbortSignal.timeout(10_000)
			});
			if (!response.ok) throw new Error(`cache purge answered ${response.status}`);
		}
	};
}
