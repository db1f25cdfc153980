import type { SupabaseClient } from '@supabase/supabase-js';

/** At most this many origins (the database holds the list to the same bound). */
export const MAX_EMBED_ORIGINS = 20;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * One entry of the embed origin list, as an admin types it, reduced to the bare origin the CSP
 * header carries; null when it is anything else. https only (http for loopback hosts, so local
 * development and the tests can frame the pages), no path, query, fragment, credentials or
 * wildcard: `frame-ancestors` then names exactly the sites the organisation chose. The database
 * checks the stored list the same way (private.is_embed_origin).
 */
export function normaliseOrigin(input: string): string | null {
	const value = input.trim();
	if (!value || /[\s*;,'"]/.test(value)) return null;
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return null;
	}
	if (url.username || url.password || url.search || url.hash) return null;
	if (url.pathname !== '/' || /^[a-z]+:\/\/[^/]+\/.+/i.test(value)) return null;
	if (value.endsWith('?') || value.endsWith('#')) return null;
	const secure = url.protocol === 'https:';
	const loopback = url.protocol === 'http:' && LOOPBACK.has(url.hostname);
	if (!secure && !loopback) return null;
	// IPv4 literals other than loopback: a site the organisation runs has a name.
	if (secure && /^\d+(\.\d+){3}$/.test(url.hostname)) return null;
	if (secure && !/^[a-z0-9.-]+$/.test(url.hostname)) return null;
	return url.origin;
}

export type OriginListResult =
	| { ok: true; origins: string[] }
	| { ok: false; code: 'embed_origin_invalid'; entry: string }
	| { ok: false; code: 'embed_origins_too_many' };

/** The textarea's lines (or commas) as a list of origins, duplicates dropped, or the first bad entry. */
export function parseOriginList(text: string): OriginListResult {
	const origins: string[] = [];
	for (const entry of text.split(/\r?\n/)) {
		if (!entry.trim()) continue;
		const origin = normaliseOrigin(entry);
		if (!origin) return { ok: false, code: 'embed_origin_invalid', entry: entry.trim() };
		if (!origins.includes(origin)) origins.push(origin);
	}
	if (origins.length > MAX_EMBED_ORIGINS) return { ok: false, code: 'embed_origins_too_many' };
	return { ok: true, origins };
}

/** The `frame-ancestors` sources for the embed pages: the app itself and the listed origins. */
export function frameAncestors(origins: readonly string[]): string {
	// Re-checked here too: a value that is not a bare origin never reaches the header.
	const valid = origins.filter((origin) => normaliseOrigin(origin) === origin);
	return ["'self'", ...valid].join(' ');
}

/** The origins the organisation listed in the settings (public: every embed response names them). */
export async function loadEmbedOrigins(client: SupabaseClient): Promise<string[]> {
	const { data, error } = await client
		.from('site_settings')
		.select('embed_origins')
		.eq('id', true)
		.maybeSingle();
	if (error) throw new Error(`loading the embed origins: ${error.message}`);
	return (data?.embed_origins as string[] | undefined) ?? [];
}
