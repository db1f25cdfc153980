import { getRequestEvent } from '$app/server';

/**
 * In-memory token buckets per client address, for the doors anyone can knock on without an
 * account (join, ticket and password sign-in, magic links). One process holds the counts: enough
 * for a single adapter-node instance; several instances would each allow the full rate.
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
	magicLink: { capacity: 10, refillPerMinute: 1 }
} satisfies Record<string, BucketRule>;

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
 * Takes one request from the current client's `name` bucket; false means answer 429 with the
 * translated `participant_error_rate_limited`.
 */
export function takeRateLimit(name: RateLimitName): boolean {
	const event = getRequestEvent();
	return limiter.take(name, rateLimits[name], event.getClientAddress());
}
