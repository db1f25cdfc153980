import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limit';

describe('createRateLimiter', () => {
	const rule = { capacity: 3, refillPerMinute: 1 };

	it('allows a burst up to the capacity, then refuses until tokens come back', () => {
		let now = 0;
		const limiter = createRateLimiter(() => now);
		expect([1, 2, 3, 4].map(() => limiter.take('join', rule, '203.0.113.1'))).toEqual([
			true,
			true,
			true,
			false
		]);
		now += 30_000;
		expect(limiter.take('join', rule, '203.0.113.1')).toBe(false);
		now += 30_000;
		expect(limiter.take('join', rule, '203.0.113.1')).toBe(true);
	});

	it('keeps addresses and limit names apart', () => {
		const limiter = createRateLimiter(() => 0);
		for (let i = 0; i < 3; i++) limiter.take('join', rule, '203.0.113.1');
		expect(limiter.take('join', rule, '203.0.113.1')).toBe(false);
		expect(limiter.take('join', rule, '203.0.113.2')).toBe(true);
		expect(limiter.take('ticket', rule, '203.0.113.1')).toBe(true);
	});
});

describe('per-user and per-address limits', () => {
	it('keys uploads by user, so participants behind one address do not share a bucket', async () => {
		const { takeUserRateLimit, userRateLimits } = await import('./rate-limit');
		const alice = crypto.randomUUID();
		const bohdan = crypto.randomUUID();
		const results = Array.from({ length: userRateLimits.upload.capacity + 1 }, () =>
			takeUserRateLimit('upload', alice)
		);
		expect(results.at(-2)).toBe(true);
		expect(results.at(-1)).toBe(false);
		expect(takeUserRateLimit('upload', bohdan)).toBe(true);
	});

	it('recognises the storage quota error whichever client reports it', async () => {
		const { isStorageQuotaError } = await import('./rate-limit');
		expect(isStorageQuotaError({ message: 'storage_quota_exceeded' })).toBe(true);
		expect(isStorageQuotaError(new Error('DatabaseError: storage_quota_exceeded'))).toBe(true);
		expect(isStorageQuotaError({ message: 'quota_exceeded' })).toBe(false);
		expect(isStorageQuotaError(null)).toBe(false);
	});
});
