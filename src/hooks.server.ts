import type { Handle, HandleServerError, ServerInit } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { building } from '$app/environment';
import { env as privateEnv } from '$env/dynamic/private';
import { env } from '$env/dynamic/public';
import { i18nHandle } from '$lib/server/hooks/i18n';
import { createPageCacheHandle } from '$lib/server/hooks/page-cache';
import { createSecurityHeadersHandle } from '$lib/server/hooks/security-headers';
import { createSupabaseHandle } from '$lib/server/hooks/supabase';
import { startDigestSchedule } from '$lib/server/mail/schedule';
import { supabaseAdmin } from '$lib/server/supabase-admin';
import { SWEEP_INTERVAL_MS, startSweeper } from '$lib/server/sweeper';

let pageCache: ReturnType<typeof createPageCacheHandle> | undefined;

/**
 * The shared page cache and compression (src/lib/server/hooks/page-cache.ts) wrap everything, so
 * a cached page is served with the headers it was rendered with. PAGE_CACHE_SECONDS=0 turns the
 * cache off, e.g. behind a CDN that caches on its own.
 */
const cacheHandle: Handle = (input) => {
	pageCache ??= createPageCacheHandle({
		ttlMs: Number(privateEnv.PAGE_CACHE_SECONDS ?? 60) * 1000
	});
	return pageCache.handle(input);
};

// Security headers run next so redirects and error pages get them too.
export const handle = sequence(
	cacheHandle,
	createSecurityHeadersHandle(() => env.PUBLIC_SUPABASE_URL),
	i18nHandle,
	createSupabaseHandle(() => ({
		url: env.PUBLIC_SUPABASE_URL,
		publishableKey: env.PUBLIC_SUPABASE_PUBLISHABLE_KEY
	}))
);

/**
 * Start-up: the retention sweeper (src/lib/server/sweeper.ts) runs now and then hourly;
 * SWEEP_INTERVAL_MINUTES=0 turns it off (e.g. a second instance on the same project). The staff
 * digest of new submissions (src/lib/server/mail/schedule.ts) follows DIGEST_INTERVAL_MINUTES.
 */
export const init: ServerInit = () => {
	if (building) return;
	startDigestSchedule();
	const minutes = Number(privateEnv.SWEEP_INTERVAL_MINUTES ?? SWEEP_INTERVAL_MS / 60_000);
	if (!(minutes > 0)) return;
	startSweeper({ admin: supabaseAdmin, intervalMs: minutes * 60_000 });
};

/**
 * Unexpected errors are logged once, with an id the error page shows to the user. Client errors
 * SvelteKit raises itself (404, 413 over BODY_SIZE_LIMIT, 405…) are expected and not logged.
 */
export const handleError: HandleServerError = ({ error, event, status, message }) => {
	if (status === 404) return { message, code: 'not_found' };
	if (status < 500) return { message };
	const errorId = crypto.randomUUID();
	console.error(`[${errorId}] ${event.request.method} ${event.url.pathname}`, error);
	return { message: 'Internal Error', errorId };
};
