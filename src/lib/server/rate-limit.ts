import { error } from '@sveltejs/kit';
import { getRequestEvent } from '$app/server';

import { supabaseAdmin } from '#lib/server/supabase-admin.ts';

/**
 * Token buckets per client address, for the doors anyone can knock on without an account (join,
 * ticket and password sign-in, magic links, search), and per user for signed-in work that costs
 * CPU (photo processing, voice notes). The buckets live in Postgres (`take_rate_limit`,
 * supabase/migrations/20261206100000_shared_limits.sql), so every app instance behind a load
 * balancer draws from the same bucket: two instances do not double a limit. One call is one
 * statement on a locked row, atomic under concurrent requests.
 *
 * The address is `event.getClientAddress()`. Behind a reverse proxy, start adapter-node with
 * `ADDRESS_HEADER=X-Forwarded-For` and `XFF_DEPTH=<number of proxies>` so that it is the visitor's
 * address rather than the proxy's; without a proxy leave both unset (a client could forge the
 * header otherwise).
 *
 * Hourly per-user quotas (uploads, exports) use `take_quota` in the database as well.
 */

export interface BucketRule {
	/** Requests allowed in a burst. */
	capacity: number;
	/** Tokens regained per minute. */
	refillPerMinute: number;
}

// A whole workshop often shares one address (the venue's Wi-Fi), so the buckets allow a room full
// of people at once; tickets and join codes carry 100 bits, so the limits are against floods and
// password guessing, not needed to keep codes secret.
export const rateLimits = {
	join: { capacity: 60, refillPerMinute: 20 },
	ticket: { capacity: 20, refillPerMinute: 2 },
	password: { capacity: 20, refillPerMinute: 2 },
	magicLink: { capacity: 10, refillPerMinute: 1 },
	// Full-text search runs a ranked query per request, while browsing pages are cached. Forty at
	// once and one every three seconds after that is more than a room of people typing searches.
	search: { capacity: 40, refillPerMinute: 20 }
} satisfies Record<string, BucketRule>;

/**
 * Per signed-in user: photo processing (decode, re-encode, six derivatives) is the most expensive
 * request. A burst of eight photos plus retries, then one every few seconds; the hourly count is
 * `take_quota('photo_uploads')` in the database. Voice notes: ten, then one every ten seconds.
 */
export const userRateLimits = {
	upload: { capacity: 12, refillPerMinute: 20 },
	voice: { capacity: 10, refillPerMinute: 6 }
} satisfies Record<string, BucketRule>;

export type UserRateLimitName = keyof typeof userRateLimits;

export type RateLimitName = keyof typeof rateLimits;

/** Bucket names in the database: `^[a-z_]+$`. */
const bucketName = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Takes one token from bucket `name` of `client`; false when it is empty. A database that does not
 * answer is an error (the request fails with 503), never a silently lifted limit.
 */
export async function takeToken(name: string, rule: BucketRule, client: string): Promise<boolean> {
	const { data, error } = await supabaseAdmin().rpc('take_rate_limit', {
		p_name: bucketName(name),
		p_client: client.slice(0, 200),
		p_capacity: rule.capacity,
		p_refill_per_minute: rule.refillPerMinute
	});
	if (error) throw new Error(`take_rate_limit failed: ${error.message}`, { cause: error });
	return data === true;
}

/**
 * Takes one request from the current client's `name` bucket; false means answer 429 with a
 * translated message (`participant_error_rate_limited`, `security_rate_limited_text`).
 */
export function takeRateLimit(name: RateLimitName): Promise<boolean> {
	const event = getRequestEvent();
	return takeToken(name, rateLimits[name], event.getClientAddress());
}

/**
 * Takes one request from `userId`'s `name` bucket (keyed by user, not address, so a shared Wi-Fi
 * does not make participants wait for each other); false means answer 429.
 */
export function takeUserRateLimit(name: UserRateLimitName, userId: string): Promise<boolean> {
	return takeToken(`user_${name}`, userRateLimits[name], userId);
}

/**
 * Throws a 429 whose page shows the translated `security_rate_limited_*` messages (see
 * +error.svelte) when the current client's `name` bucket is empty. For loads and GET endpoints;
 * form actions return `fail(429)` instead.
 */
export async function enforceRateLimit(name: RateLimitName): Promise<void> {
	if (!(await takeRateLimit(name))) error(429, 'Too many requests', { code: 'rate_limited' });
}

/**
 * True for the error the storage quota trigger raises when a participant's files would exceed
 * their bytes (Storage passes the database message through).
 */
export function isStorageQuotaError(error: unknown): boolean {
	const message = (error as { message?: unknown } | null)?.message;
	return typeof message === 'string' && message.includes('storage_quota_exceeded');
}
