/**
 * One run at a time per key within this process. The photo endpoint keys it by user and upload id,
 * so a double tap or a retry racing the first request cannot turn one upload into two photos
 * (checklist G50): the second call is refused while the first runs, and afterwards the original is
 * gone. Like the rate limits, it assumes a single adapter-node instance.
 */
const running = new Set<string>();

/** Thrown by `singleFlight` when a call with the same key is still running. */
export class DuplicateRequestError extends Error {
	constructor(readonly key: string) {
		super(`already running: ${key}`);
		this.name = 'DuplicateRequestError';
	}
}

/** Runs `fn` unless a call with `key` is still running; then throws `DuplicateRequestError`. */
export async function singleFlight<T>(key: string, fn: () => Promise<T>): Promise<T> {
	if (running.has(key)) throw new DuplicateRequestError(key);
	running.add(key);
	try {
		return await fn();
	} finally {
		running.delete(key);
	}
}
