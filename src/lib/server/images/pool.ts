/**
 * A FIFO limiter: at most `concurrency` functions run at once, the rest wait in order. A burst of
 * uploads therefore queues (bounded memory) instead of decoding everything at the same time.
 */
export class Limiter {
	#active = 0;
	readonly #waiting: Array<() => void> = [];

	constructor(
		readonly concurrency: number,
		/** Waiting runs beyond this are refused with `onFull`'s error. */
		readonly maxQueued = Number.POSITIVE_INFINITY,
		private readonly onFull: () => Error = () => new Error('queue full')
	) {
		if (!Number.isInteger(concurrency) || concurrency < 1) {
			throw new RangeError('concurrency must be a positive integer');
		}
	}

	/** Runs currently executing. */
	get active(): number {
		return this.#active;
	}

	/** Runs waiting for a slot. */
	get queued(): number {
		return this.#waiting.length;
	}

	/** Runs `fn` when a slot is free; rejects at once when the queue is full. */
	async run<T>(fn: () => Promise<T>): Promise<T> {
		if (this.#active >= this.concurrency) {
			if (this.#waiting.length >= this.maxQueued) throw this.onFull();
			await new Promise<void>((resolve) => this.#waiting.push(resolve));
		} else {
			this.#active++;
		}
		try {
			return await fn();
		} finally {
			const next = this.#waiting.shift();
			// Hand the slot straight to the next waiter, so `active` never drops and rises again.
			if (next) next();
			else this.#active--;
		}
	}
}
