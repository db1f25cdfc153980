/**
 * Per-IP request budgets like GoTrue's `[auth.rate_limit]`. Locally they are off unless config.toml
 * sets them: tests and seed scripts sign up many users from 127.0.0.1 in a few seconds.
 */
import { AuthError } from './errors.ts';

type Bucket =
	'signInSignUps' | 'tokenRefresh' | 'tokenVerifications' | 'anonymousUsers' | 'emailSent';

/** Window per bucket, as documented for Supabase's rate limits. */
const WINDOW_MS: Record<Bucket, number> = {
	signInSignUps: 5 * 60_000,
	tokenRefresh: 5 * 60_000,
	tokenVerifications: 5 * 60_000,
	anonymousUsers: 60 * 60_000,
	emailSent: 60 * 60_000
};

export class RateLimiter {
	#hits = new Map<string, number[]>();

	constructor(private readonly limits: Partial<Record<Bucket, number | undefined>>) {}

	/** Counts one request of `ip` against `bucket`; throws 429 once the budget is spent. */
	take(bucket: Bucket, ip: string): void {
		const limit = this.limits[bucket];
		if (limit === undefined) return;
		const key = `${bucket}:${ip}`;
		const now = Date.now();
		const recent = (this.#hits.get(key) ?? []).filter((at) => at > now - WINDOW_MS[bucket]);
		if (recent.length >= limit) {
			this.#hits.set(key, recent);
			throw bucket === 'emailSent'
				? new AuthError(429, 'over_email_send_rate_limit', 'Email rate limit exceeded')
				: new AuthError(429, 'over_request_rate_limit', 'Request rate limit reached');
		}
		recent.push(now);
		this.#hits.set(key, recent);
	}
}
