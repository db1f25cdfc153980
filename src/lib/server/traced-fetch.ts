import { currentRequestId } from './log.ts';

/**
 * `fetch` for the server's Supabase clients: adds the current request's `x-request-id`, so the
 * stack's log lines for the calls a request makes carry the same id as the app's.
 */
export const tracedFetch: typeof fetch = (input, init) => {
	const requestId = currentRequestId();
	if (!requestId) return fetch(input, init);
	const headers = new Headers(
		init?.headers ?? (input instanceof Request ? input.headers : undefined)
	);
	headers.set('x-request-id', requestId);
	return fetch(input, { ...init, headers });
};
