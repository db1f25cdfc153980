import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The app's logs: one JSON object per line on stdout, so a host's log collector can parse them
 * and one request can be followed by its id across the app and the Supabase stack. Lines carry
 * what an operator needs (time, level, request id, route, status, duration) and never a secret:
 * no query strings, cookies, tokens, tickets, emails or client addresses. Messages and error texts
 * are scrubbed of anything that looks like one as a second line of defence.
 */

export type Level = 'info' | 'warn' | 'error';

export type LogFields = Record<string, string | number | boolean | null | undefined>;

/** The request a piece of server code runs for (its id), wherever it is in the call stack. */
const scope = new AsyncLocalStorage<{ requestId: string }>();

/** Runs `fn` as part of request `requestId`: its logs and Supabase calls carry that id. */
export function withRequestId<T>(requestId: string, fn: () => T): T {
	return scope.run({ requestId }, fn);
}

/** The id of the request the caller runs for, if any (background jobs have none). */
export function currentRequestId(): string | undefined {
	return scope.getStore()?.requestId;
}

/** Letters, digits and `._:-`, at most 128: what proxies and tracing systems send, nothing more. */
const SANE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The incoming `x-request-id` when it is sane, else a new one. */
export function requestIdFrom(header: string | string[] | null | undefined): string {
	const value = Array.isArray(header) ? header[0] : header;
	return value && SANE_ID.test(value) ? value : crypto.randomUUID();
}

const SCRUB: [RegExp, string][] = [
	// JWTs (access tokens, signed URLs' tokens) and Supabase API keys.
	[/eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]+/g, '[jwt]'],
	[/\bsb_(secret|publishable)_[\w-]+/g, '[key]'],
	[/\b(bearer)\s+[\w.~+/=-]+/gi, '$1 [token]'],
	[/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '[email]'],
	[/\b\d{1,3}(\.\d{1,3}){3}\b/g, '[ip]'],
	// Query strings: tokens, ticket codes and search terms travel there.
	[/\?[^\s"'?]*=[^\s"']*/g, '?[query]']
];

/** `text` without anything that looks like a token, key, email, IPv4 address or query string. */
export function scrub(text: string): string {
	return SCRUB.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

/** An error as plain fields, scrubbed, its causes included. */
function describe(error: unknown, depth = 0): string {
	if (!(error instanceof Error)) {
		if (error && typeof error === 'object' && 'message' in error) {
			const { code, message } = error as { code?: unknown; message?: unknown };
			return `${code ? `${String(code)}: ` : ''}${String(message)}`;
		}
		return String(error);
	}
	const code = (error as { code?: unknown }).code;
	const head = error.stack ?? `${error.name}: ${error.message}`;
	const own = code ? `${head} (code ${String(code)})` : head;
	return error.cause !== undefined && depth < 3
		? `${own}\ncaused by: ${describe(error.cause, depth + 1)}`
		: own;
}

/** Where lines go; tests replace it to read them. */
let sink: (line: string) => void = (line) => process.stdout.write(`${line}\n`);

/** Replaces the output of the log (for tests); returns the previous one. */
export function setLogSink(next: (line: string) => void): (line: string) => void {
	const previous = sink;
	sink = next;
	return previous;
}

/** Writes one log line: `msg` and `fields`, the current request id, and `error` if given. */
export function log(level: Level, msg: string, fields: LogFields = {}, error?: unknown): void {
	const line: Record<string, unknown> = {
		time: new Date().toISOString(),
		level,
		request_id: fields.request_id ?? currentRequestId(),
		msg: scrub(msg)
	};
	for (const [key, value] of Object.entries(fields)) {
		if (key === 'request_id' || value === undefined) continue;
		line[key] = typeof value === 'string' ? scrub(value) : value;
	}
	if (error !== undefined) line.error = scrub(describe(error));
	sink(JSON.stringify(line));
}

export const logger = {
	info: (msg: string, fields?: LogFields) => log('info', msg, fields),
	warn: (msg: string, error?: unknown, fields?: LogFields) => log('warn', msg, fields, error),
	error: (msg: string, error?: unknown, fields?: LogFields) => log('error', msg, fields, error)
};
