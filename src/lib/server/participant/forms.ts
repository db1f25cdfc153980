import { fail } from '@sveltejs/kit';
import { takeRateLimit, type RateLimitName } from '#lib/server/rate-limit.ts';

/** A form field as a trimmed string ('' when missing or a file). */
export function field(form: FormData, name: string): string {
	const value = form.get(name);
	return typeof value === 'string' ? value.trim() : '';
}

/** `fail(429)` with the translated-by-code `rate_limited` when the client's bucket is empty. */
export async function rateLimited(name: RateLimitName) {
	return (await takeRateLimit(name)) ? null : fail(429, { code: 'rate_limited' as const });
}

/** The snake_case business error a checked function raised (see the workflow migration). */
export function rpcErrorCode(error: unknown): string | undefined {
	const message = (error as { message?: unknown } | null)?.message;
	return typeof message === 'string' && /^[a-z_]+$/.test(message) ? message : undefined;
}
