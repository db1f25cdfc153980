import { describe, expect, it } from 'vitest';
import { isRetryable } from './upload-queue.svelte.ts';

describe('isRetryable', () => {
	it('asks again after no answer, a server fault, a rate limit or with the upload still running', () => {
		expect(isRetryable(0, undefined)).toBe(true);
		expect(isRetryable(500, 'piece_upload_failed')).toBe(true);
		expect(isRetryable(502, undefined)).toBe(true);
		expect(isRetryable(503, 'image_busy')).toBe(true);
		expect(isRetryable(429, 'piece_rate_limited')).toBe(true);
		expect(isRetryable(409, 'security_upload_in_progress')).toBe(true);
	});

	it('takes a refusal as final: asking again would get the same answer', () => {
		expect(isRetryable(409, 'piece_too_many_photos')).toBe(false);
		expect(isRetryable(409, 'piece_not_editable')).toBe(false);
		expect(isRetryable(422, 'image_corrupt')).toBe(false);
		expect(isRetryable(413, 'security_storage_full')).toBe(false);
		expect(isRetryable(201, undefined)).toBe(false);
	});
});
