/**
 * Whether an error means the database (or the Supabase API in front of it) is away, rather than
 * that the request or the code is wrong: then the app answers 503 with a translated "back in a
 * moment" instead of a 500, and a load balancer or the visitor tries again.
 */

/** PostgREST's connection errors (PGRST000–003) and Postgres' connection, shutdown and overload states. */
function unavailableCode(code: string): boolean {
	return (
		/^PGRST00[0-3]$/.test(code) ||
		/^08[0-9A-Z]{3}$/.test(code) ||
		['57P01', '57P02', '57P03', '53300'].includes(code)
	);
}

/** Node's socket errors: the stack itself cannot be reached. */
const SOCKET_CODES = new Set([
	'ECONNREFUSED',
	'ECONNRESET',
	'EPIPE',
	'ETIMEDOUT',
	'EHOSTUNREACH',
	'ENOTFOUND',
	'UND_ERR_SOCKET',
	'UND_ERR_CONNECT_TIMEOUT'
]);

const UNAVAILABLE_TEXT =
	/^(TypeError: )?fetch failed|Database connection error\. Retrying the connection|Database is not available/;

export function isUnavailable(error: unknown, depth = 0): boolean {
	if (!error || typeof error !== 'object' || depth > 5) return false;
	const { code, status, name, message, cause, originalError } = error as Record<string, unknown>;
	if (typeof code === 'string' && (unavailableCode(code) || SOCKET_CODES.has(code))) return true;
	if (status === 503 || status === 504) return true;
	// auth-js' and storage-js' names for a request that never got an answer.
	if (name === 'AuthRetryableFetchError') return true;
	// postgrest-js turns a failed fetch into `{ message: 'TypeError: fetch failed' }`; the other
	// texts are what the APIs answer while their database is away (PGRST000, Storage, Auth), also
	// when code wrapped them in an error of its own without a cause.
	if (typeof message === 'string' && UNAVAILABLE_TEXT.test(message)) return true;
	return isUnavailable(cause, depth + 1) || isUnavailable(originalError, depth + 1);
}
