import { error } from '@sveltejs/kit';
import { getRequestEvent } from '$app/server';

/**
 * In-memory token buckets per client address, for the doors anyone can knock on without an
 * account (join, ticket and password sign-in, magic links, search), and per user for signed-in
 * work that costs CPU (photo processing). One process holds the counts: enough for a single
 * adapter-node instance; several instances would each allow the full rate.
 *
 * The address is `event.getClientAddress()`. Behind a reverse proxy, start adapter-node with
 * `ADDRESS_HEADER=X-Forwarded-For` and `XFF_DEPTH=<number of proxies>` so that it is the visitor's
 * address rather than the proxy's; without a proxy leave both unset (a client could forge the
 * header otherwise).
 *
 * Per-user limits on signed-in work (uploads, exports) use `take_quota` in the database instead.
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
 * `take_quota('photo_uploads')` in the database.
 */
export const userRateLimits = {
	upload: { capacity: 12, refillPerMinute: 20 }
} satisfies Record<string, BucketRule>;

export type UserRateLimitName = keyof typeof userRateLimits;

export type RateLimitName = keyof typeof rateLimits;

interface Bucket {
	tokens: number;
	updated: number;
}

const MAX_KEYS = 50_000;

/** A token bucket store; `now` is injectable for tests. */
export function createRateLimiter(now: () => number = Date.now) {
	const buckets = new Map<string, Bucket>();

	function level(bucket: Bucket, rule: BucketRule, at: number): number {
		const regained = ((at - bucket.updated) / 60_000) * rule.refillPerMinute;
		return Math.min(rule.capacity, bucket.tokens + regained);
	}

	// Full buckets carry no information, so dropping them bounds memory under address floods.
	function sweep(at: number, rules: Record<string, BucketRule>): void {
		for (const [key, bucket] of buckets) {
			const rule = rules[key.slice(0, key.indexOf(':'))];
			if (!rule || level(bucket, rule, at) >= rule.capacity) buckets.delete(key);
		}
		if (buckets.size > MAX_KEYS) buckets.clear();
	}

	return {
		/** Takes one token from `name`'s bucket for `address`; false when it is empty. */
		take(name: string, rule: BucketRule, address: string): boolean {
			const at = now();
			const key = `${name}:${address}`;
			if (!buckets.has(key) && buckets.size >= MAX_KEYS) sweep(at, { [name]: rule });
			const bucket = buckets.get(key) ?? { tokens: rule.capacity, updated: at };
			const tokens = level(bucket, rule, at);
			if (tokens < 1) {
				buckets.set(key, { tokens, updated: at });
				return false;
			}
			buckets.set(key, { tokens: tokens - 1, updated: at });
			return true;
		},
		get size() {
			return buckets.size;
		}
	};
}

const limiter = createRateLimiter();

/**
 * Takes one request from the current client's `name` bucket; false means answer 429 with a
 * translated message (`participant_error_rate_limited`, `security_rate_limited_text`).
 */
export function takeRateLimit(name: RateLimitName): boolean {
	const event = getRequestEvent();
	return limiter.take(name, rateLimits[name], event.getClientAddress());
}

/**
 * Takes one request from `userId`'s `name` bucket (keyed by user, not address, so a shared Wi-Fi
 * does not make participants wait for each other); false means answer 429.
 */
export function takeUserRateLimit(name: UserRateLimitName, userId: string): boolean {
	return limiter.take(`user_${name}`, userRateLimits[name], userId);
}

/**
 * Throws a 429 whose page shows the translated `security_rate_limited_*` messages (see
 * +error.svelte) when the current client's `name` bucket is empty. For loads and GET endpoints;
 * form actions return `fail(429)` instead.
 */
export function enforceRateLimit(name: RateLimitName): void {
	if (!takeRateLimit(name)) error(429, 'Too many requests', { code: 'rate_limited' });
}

/**
 * True for the error the storage quota trigger raises when a participant's files would exceed
 * their bytes (Storage passes the database message through).
 */
export function isStorageQuotaError(error: unknown): boolean {
	const message = (error as { message?: unknown } | null)?.message;
	return typeof message === 'string' && message.includes('storage_quota_exceeded');
}
