import { describe, expect, it } from 'vitest';
import {
	DRAFT_RETENTION_MS,
	SWEEP_INTERVAL_MS,
	UPLOAD_RETENTION_MS,
	startSweeper
} from './sweeper';

describe('startSweeper', () => {
	it('reports a run that cannot start instead of throwing, and never overlaps runs', async () => {
		let calls = 0;
		const logs: string[] = [];
		const sweeper = startSweeper({
			admin: () => {
				calls++;
				throw new Error('no service key');
			},
			log: (message) => logs.push(message),
			intervalMs: 3_600_000
		});
		try {
			const [a, b] = [sweeper.runNow(), sweeper.runNow()];
			expect(a).toBe(b);
			expect(await a).toEqual({ drafts: [], objects: [], errors: ['no service key'] });
			expect(calls).toBe(1);
			expect(logs).toEqual(['[sweeper] failed, will retry: no service key']);
		} finally {
			sweeper.stop();
		}
	});

	it('keeps the documented retention periods', () => {
		expect(UPLOAD_RETENTION_MS).toBe(24 * 60 * 60 * 1000);
		expect(DRAFT_RETENTION_MS).toBe(30 * 24 * 60 * 60 * 1000);
		expect(SWEEP_INTERVAL_MS).toBeLessThan(UPLOAD_RETENTION_MS);
	});
});
