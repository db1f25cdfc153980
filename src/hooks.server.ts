import type { Handle, HandleServerError, ServerInit } from '@sveltejs/kit/hooks';
import { sequence } from '@sveltejs/kit/hooks';
import { building } from '$app/env';
import * as privateEnv from '$app/env/private';
import * as env from '$app/env/public';
import { databaseAnswers } from '#lib/server/health/readiness.ts';
import { isUnavailable } from '#lib/server/health/unavailable.ts';
import { i18nHandle } from '#lib/server/hooks/i18n.ts';
import { createPageCacheHandle, sharedPageCacheVersion } from '#lib/server/hooks/page-cache.ts';
import { requestLogHandle } from '#lib/server/hooks/request-log.ts';
import { createSecurityHeadersHandle } from '#lib/server/hooks/security-headers.ts';
import { createSupabaseHandle } from '#lib/server/hooks/supabase.ts';
import { logger } from '#lib/server/log.ts';
import { startDigestSchedule } from '#lib/server/mail/schedule.ts';
import { m } from '#lib/paraglide/messages.js';
import { supabaseAdmin } from '#lib/server/supabase-admin.ts';
import { SWEEP_INTERVAL_MS, startSweeper } from '#lib/server/sweeper.ts';

let pageCache: ReturnType<typeof createPageCacheHandle> | undefined;

/**
 * The shared page cache and compression (src/lib/server/hooks/page-cache.ts) wrap everything, so
 * a cached page is served with the headers it was rendered with. PAGE_CACHE_SECONDS=0 turns the
 * cache off, e.g. behind a CDN that caches on its own.
 */
const cacheHandle: Handle = (input) => {
	pageCache ??= createPageCacheHandle({
		ttlMs: Number(privateEnv.PAGE_CACHE_SECONDS ?? 60) * 1000,
		sharedVersion: sharedPageCacheVersion(supabaseAdmin)
	});
	return pageCache.handle(input);
};

// The request id and its log line come first, so cache hits are logged too; security headers run
// after the cache so redirects and error pages get them.
export const handle = sequence(
	requestLogHandle,
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
 * Unexpected errors are logged once, with the request's id, which the error page shows to the user
 * so a report can be matched to the log. An error that means the database is away (or one raised
 * while it does not answer) is a 503 with a translated "back in a moment" in the visitor's
 * language, page and JSON alike; the app recovers by itself once the database is back. Errors the
 * app raises with `error(…)` (kind `app`) keep the body they were given, and client errors SvelteKit
 * raises itself (404, 413 over BODY_SIZE_LIMIT, 405…) are expected: neither is logged.
 */
export const handleError: HandleServerError = (input) => {
	if (input.kind === 'app') return;
	if (input.kind === 'framework' || input.kind === 'validation') {
		return input.error.status === 404 ? { code: 'not_found' } : undefined;
	}
	const { event, error } = input;
	const route = event.route.id;
	const unavailable = () => {
		logger.warn('database unavailable', error, { route });
		return {
			status: 503,
			code: 'service_unavailable',
			message: m.ops_unavailable_text({}, { locale: event.locals.locale })
		};
	};
	const unexpected = () => {
		const errorId = event.locals.requestId ?? crypto.randomUUID();
		logger.error('unexpected error', error, { route, error_id: errorId });
		return { message: 'Internal Error', errorId };
	};
	// Synchronous when the error says it by itself (SvelteKit drops an async answer for an error
	// thrown while rendering without async Svelte); otherwise ask whether the database answers.
	if (isUnavailable(error)) return unavailable();
	return databaseAnswers(supabaseAdmin).then((answers) => (answers ? unexpected() : unavailable()));
};
