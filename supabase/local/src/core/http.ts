/** Small HTTP helpers shared by the auth, REST and storage services. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Database } from './db.ts';
import type { Keys } from './keys.ts';

/** Everything a service needs, created once per stack. */
export interface StackContext {
	db: Database;
	keys: Keys;
	/** Public base URL of the stack, e.g. http://127.0.0.1:54321 (no trailing slash). */
	url: string;
	/** Folder for files the stack keeps (signing key, storage bytes, outbox). */
	dataDir: string;
	/** The project folder (config.toml, migrations, seed.sql). */
	projectDir: string;
	/** A log message; inside a request it carries the request's id (see stack.ts). */
	log: (message: string, level?: LogLevel) => void;
}

export type LogLevel = 'info' | 'warn' | 'error';

export interface RequestContext {
	req: IncomingMessage;
	res: ServerResponse;
	url: URL;
	/** Path after the service prefix, always starting with '/'. */
	path: string;
	stack: StackContext;
}

/** A service answers the requests under its prefix; it returns false for a path it does not know. */
export interface Service {
	prefix: `/${string}`;
	handle(ctx: RequestContext): Promise<boolean>;
	close?(): Promise<void>;
}

export function sendJson(
	res: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {}
): void {
	const payload = body === undefined ? '' : JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json; charset=utf-8',
		'content-length': Buffer.byteLength(payload),
		...headers
	});
	res.end(payload);
}

export class BodyTooLargeError extends Error {
	constructor(readonly limit: number) {
		super(`request body exceeds ${limit} bytes`);
	}
}

/** How much of an oversized body is read and dropped so the client still sees the error. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

/**
 * Reads a whole request body, failing once it passes `limit` bytes. The rest of an oversized body
 * is read and discarded first (up to DRAIN_LIMIT): a client still writing would otherwise meet a
 * reset (EPIPE) instead of the 413.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
	const declared = Number(req.headers['content-length']);
	const chunks: Buffer[] = [];
	let size = 0;
	let tooLarge = Number.isFinite(declared) && declared > limit;
	for await (const chunk of req) {
		size += (chunk as Buffer).length;
		if (size > limit) tooLarge = true;
		if (size > DRAIN_LIMIT) {
			req.destroy();
			break;
		}
		if (!tooLarge) chunks.push(chunk as Buffer);
	}
	if (tooLarge) throw new BodyTooLargeError(limit);
	return Buffer.concat(chunks);
}

export const CORS_HEADERS: Record<string, string> = {
	'access-control-allow-origin': '*',
	'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
	'access-control-expose-headers':
		'Content-Range, Range-Unit, X-Request-Id, Content-Location, Location, X-Total-Count, Link, X-Supabase-Api-Version, Content-Disposition, ETag, Upload-Offset, Upload-Length, Tus-Resumable, Tus-Version, Tus-Max-Size, Tus-Extension',
	'access-control-max-age': '3600'
};

export const DEFAULT_ALLOWED_HEADERS =
	'authorization, apikey, x-client-info, x-request-id, content-type, accept, accept-profile, content-profile, prefer, range, x-supabase-api-version, x-retry-count, x-upsert, cache-control, x-metadata, x-robots-tag, traceparent, tracestate, baggage, upload-length, upload-offset, upload-metadata, tus-resumable, x-http-method-override';
