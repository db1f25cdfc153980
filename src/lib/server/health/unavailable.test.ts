import { describe, expect, it } from 'vitest';
import { isUnavailable } from './unavailable.ts';

describe('isUnavailable', () => {
	it('knows the answers of an API whose database is away', () => {
		expect(isUnavailable({ code: 'PGRST000', message: 'Database connection error.' })).toBe(true);
		expect(isUnavailable({ code: '57P01', message: 'terminating connection' })).toBe(true);
		expect(isUnavailable({ code: '08006', message: 'connection failure' })).toBe(true);
		expect(isUnavailable({ name: 'StorageApiError', status: 503, message: 'x' })).toBe(true);
		expect(isUnavailable({ message: 'TypeError: fetch failed', code: '' })).toBe(true);
	});

	it('looks through causes and wrapped messages', () => {
		const socket = Object.assign(new Error('connect'), { code: 'ECONNREFUSED' });
		expect(isUnavailable(new TypeError('fetch failed', { cause: socket }))).toBe(true);
		expect(isUnavailable(new Error('loading', { cause: { code: 'PGRST000' } }))).toBe(true);
		expect(
			isUnavailable(
				new Error('listing stories: Database connection error. Retrying the connection.')
			)
		).toBe(true);
	});

	it('leaves real faults and refusals alone', () => {
		expect(isUnavailable(new Error('x is undefined'))).toBe(false);
		expect(isUnavailable({ code: '42501', message: 'permission denied' })).toBe(false);
		expect(isUnavailable({ code: 'PGRST116', message: 'Cannot coerce' })).toBe(false);
		expect(isUnavailable({ code: '23505', message: 'duplicate key' })).toBe(false);
		expect(isUnavailable(null)).toBe(false);
	});
});
