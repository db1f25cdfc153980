import { describe, expect, it } from 'vitest';
import { Limiter } from './pool.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
	let resolve!: () => void;
	const promise = new Promise<void>((r) => (resolve = r));
	return { promise, resolve };
}

describe('Limiter', () => {
	it('runs at most `concurrency` at once, in arrival order', async () => {
		const limiter = new Limiter(2);
		const gates = [0, 1, 2, 3, 4].map(() => deferred());
		const started: number[] = [];
		let peak = 0;
		const runs = gates.map((gate, i) =>
			limiter.run(async () => {
				started.push(i);
				peak = Math.max(peak, limiter.active);
				await gate.promise;
				return i;
			})
		);
		await Promise.resolve();
		expect([limiter.active, limiter.queued]).toEqual([2, 3]);
		for (const gate of gates) gate.resolve();
		expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
		expect(started).toEqual([0, 1, 2, 3, 4]);
		expect(peak).toBe(2);
		expect([limiter.active, limiter.queued]).toEqual([0, 0]);
	});

	it('refuses new work when the queue is full and frees the slot after a failure', async () => {
		const limiter = new Limiter(1, 1, () => new Error('busy'));
		const gate = deferred();
		const first = limiter.run(() => gate.promise.then(() => Promise.reject(new Error('boom'))));
		const second = limiter.run(async () => 'second');
		await expect(limiter.run(async () => 'third')).rejects.toThrow('busy');
		gate.resolve();
		await expect(first).rejects.toThrow('boom');
		expect(await second).toBe('second');
		expect([limiter.active, limiter.queued]).toEqual([0, 0]);
	});

	it('rejects a concurrency below one', () => {
		expect(() => new Limiter(0)).toThrow(RangeError);
	});
});
