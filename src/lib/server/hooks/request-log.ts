import type { Handle } from '@sveltejs/kit/hooks';
import { log, requestIdFrom, withRequestId } from '../log.ts';

/** The path of a request URL without its query (tokens, ticket codes, search terms live there). */
export function pathOf(url: string | undefined): string {
	return (url ?? '/').split('?')[0].split('#')[0] || '/';
}

export interface RequestLine {
	requestId: string;
	method: string | undefined;
	/** The route's pattern (`/pieces/[id]`), never its values; null when no route matched. */
	route: string | null;
	/** Only for answers from the page cache, which holds nothing but public pages. */
	path?: string;
	status: number;
	durationMs: number;
	cache?: string | null;
}

/** The one line each request leaves in the log. */
export function logRequest(line: RequestLine): void {
	// 503 is the answer while the database is away: expected, not a fault of this request.
	const level = line.status === 503 ? 'warn' : line.status >= 500 ? 'error' : 'info';
	log(level, 'request', {
		request_id: line.requestId,
		method: line.method,
		route: line.route,
		path: line.path,
		status: line.status,
		duration_ms: Math.round(line.durationMs * 10) / 10,
		cache: line.cache ?? undefined
	});
}

/** The response with `x-request-id` set, copied when its headers are immutable (a fetch result). */
function withIdHeader(response: Response, id: string): Response {
	try {
		response.headers.set('x-request-id', id);
		return response;
	} catch {
		const copy = new Response(response.body, response);
		copy.headers.set('x-request-id', id);
		return copy;
	}
}

/**
 * The outermost hook: gives each request an id (a sane incoming `x-request-id`, else a new one),
 * runs the rest of the request in its scope (so every log line and every Supabase call made for
 * it carries the id), answers with `x-request-id`, and logs one line when the response starts.
 * The duration is until the headers are ready; a streamed body may take longer.
 */
export const requestLogHandle: Handle = async ({ event, resolve }) => {
	const started = performance.now();
	const requestId = requestIdFrom(event.request.headers.get('x-request-id'));
	event.locals.requestId = requestId;
	const base = { requestId, method: event.request.method, route: event.route.id };
	let response: Response;
	try {
		response = await withRequestId(requestId, () => resolve(event));
	} catch (error) {
		logRequest({ ...base, status: 500, durationMs: performance.now() - started });
		throw error;
	}
	logRequest({
		...base,
		status: response.status,
		durationMs: performance.now() - started,
		cache: response.headers.get('x-cache')
	});
	return withIdHeader(response, requestId);
};
