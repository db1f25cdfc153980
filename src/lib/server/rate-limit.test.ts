import { describe, expect, it } from 'vitest';

describe('isStorageQuotaError', () => {
	it('recognises the storage quota error whichever client reports it', async () => {
		const { isStorageQuotaError } = await import('./rate-limit');
		expect(isStorageQuotaError({ message: 'storage_quota_exceeded' })).toBe(true);
		expect(isStorageQuotaError(new Error('DatabaseError: storage_quota_exceeded'))).toBe(true);
		expect(isStorageQuotaError({ message: 'quota_exceeded' })).toBe(false);
		expect(isStorageQuotaError(null)).toBe(false);
	});
});
