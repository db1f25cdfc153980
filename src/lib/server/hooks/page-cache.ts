import { promisify } from 'node:util';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { brotliCompress, constants, createBrotliCompress, createGzip, gzip } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Handle } from '@sveltejs/kit/hooks';
import type { SupabaseClient } from '@supabase/supabase-js';
import { hasLocalePrefix } from '#lib/i18n/href.ts';
import { hasAuthCookieHeader } from './auth-cookie';
import { logger, requestIdFrom } from '../log.ts';
import { logRequest, pathOf } from './request-log.ts';

/**
 * The app's own shared cache and compression, the outermost hook.
 *
 * Anonymous public pages say `Cache-Control: public, s-maxage=…` (src/lib/server/gallery/cache.ts),
 * so any shared cache may keep them; this is one inside the process, for deployments without a CDN
 * and so a burst of visitors (a newspaper link, a school class scanning the exhibition's QR codes)
 * costs one render per page instead of one per visitor. It stores only what a CDN could store: a
 * 200 with `public`, no `Set-Cookie`, asked for without a session cookie. Entries live at most
 * `s-maxage` or `PAGE_CACHE_SECONDS` (default 60), whichever is shorter, and every successful
 * write through the app (any non-GET request answered below 400: a publish, a withdrawal, a
 * deletion, a story edit) empties the cache, so what a participant withdraws leaves the pages at
 * once. With several app instances, each write also bumps a version in Postgres
 * (`bump_page_cache_version`, which a change to a published piece made beside the app bumps too),
 * and an instance serves from its cache only while it has read that version within the last
 * `sharedVersion.maxAgeMs` (1 s): a withdrawal through one instance leaves every other one within
 * that second plus one request.
 *
 * Text responses are compressed (brotli or gzip, by Accept-Encoding): cached ones once per entry,
 * others as they stream. Cookies are SameSite=Lax and pages carry no tokens, so compression gives
 * a BREACH-style attacker nothing to read.
 */

export interface PageCacheOptions {
	/** Upper bound for an entry's life; 0 turns the cache off (compression stays). */
	ttlMs: number;
	/** Bounds on what is kept; the least recently used entries go first. */
	maxEntries?: number;
	maxBytes?: number;
	/** Single responses above this are served but not kept. */
	maxEntryBytes?: number;
	now?: () => number;
	/** The version every instance shares (see above); without it the cache is this process's alone. */
	sharedVersion?: SharedVersion;
}

export interface SharedVersion {
	read(): Promise<string>;
	bump(): Promise<void>;
	/** How long a version read vouches for the cache. */
	maxAgeMs: number;
}

interface Entry {
	status: number;
	headers: [string, string][];
	body: Uint8Array;
	etag: string | null;
	expires: number;
	encoded: Partial<Record<Encoding, Promise<Uint8Array>>>;
	/** The same bodies once compressed, for the synchronous fast path. */
	ready: Partial<Record<Encoding, Uint8Array>>;
}

type Encoding = 'br' | 'gzip';

const COMPRESSIBLE =
	/^(text\/|application\/(json|xml|atom\+xml|rss\+xml|javascript|manifest\+json)|image\/svg\+xml)/;
/** Below this, compression costs more than it saves. */
const MIN_COMPRESS_BYTES = 1024;
const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** The encoding to answer with: brotli over gzip, none when the client accepts neither. */
export function chooseEncoding(acceptEncoding: string | null): Encoding | null {
	const accepted = new Map<string, number>();
	for (const part of (acceptEncoding ?? '').toLowerCase().split(',')) {
		const [name, ...params] = part.trim().split(';');
		if (!name) continue;
		const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
		accepted.set(name, q === undefined ? 1 : Number(q));
	}
	const weight = (name: Encoding) => accepted.get(name) ?? accepted.get('*') ?? 0;
	if (weight('br') > 0) return 'br';
	if (weight('gzip') > 0) return 'gzip';
	return null;
}

function compressible(headers: Headers): boolean {
	return !headers.has('content-encoding') && COMPRESSIBLE.test(headers.get('content-type') ?? '');
}

/** A Vary value that also names Accept-Encoding. */
function varyWithEncoding(vary: string | null | undefined): string {
	if (!vary) return 'Accept-Encoding';
	return /accept-encoding|\*/i.test(vary) ? vary : `${vary}, Accept-Encoding`;
}

function withVary(headers: Headers): void {
	headers.set('vary', varyWithEncoding(headers.get('vary')));
}

/** Seconds a shared cache may keep the response, or null when it may not keep it at all. */
export function sharedMaxAge(cacheControl: string | null): number | null {
	const directives = (cacheControl ?? '').toLowerCase();
	if (!/(^|,)\s*public\s*(,|$)/.test(directives)) return null;
	if (/no-store|no-cache|private/.test(directives)) return null;
	const age = /s-maxage=(\d+)/.exec(directives) ?? /max-age=(\d+)/.exec(directives);
	return age ? Number(age[1]) : null;
}

/** Compresses a streamed response chunk by chunk, flushing each so streamed pages still stream. */
function compressStream(response: Response, encoding: Encoding): Response {
	if (!response.body) return response;
	const encoder =
		encoding === 'br'
			? createBrotliCompress({
					flush: constants.BROTLI_OPERATION_FLUSH,
					params: { [constants.BROTLI_PARAM_QUALITY]: 5 }
				})
			: createGzip({ flush: constants.Z_SYNC_FLUSH, level: 6 });
	const source = Readable.fromWeb(response.body as unknown as NodeReadableStream<Uint8Array>);
	source.on('error', (error) => encoder.destroy(error));
	const headers = new Headers(response.headers);
	headers.set('content-encoding', encoding);
	headers.delete('content-length');
	withVary(headers);
	const body = Readable.toWeb(source.pipe(encoder)) as unknown as ReadableStream<Uint8Array>;
	return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * A size-bounded LRU of rendered responses with a generation counter: a render that started
 * before the cache was emptied is not stored, so a withdrawal can never be undone by a slow page.
 */
export class PageCache {
	readonly #entries = new Map<string, Entry>();
	readonly #pending = new Map<string, Promise<Entry | null>>();
	#bytes = 0;
	#generation = 0;
	readonly #options: Required<Omit<PageCacheOptions, 'sharedVersion'>>;
	readonly #shared: SharedVersion | undefined;
	#version: string | null = null;
	#confirmedAt = -Infinity;
	#confirming: Promise<boolean> | null = null;

	constructor({ sharedVersion, ...options }: PageCacheOptions) {
		this.#options = {
			maxEntries: 500,
			maxBytes: 64 * 1024 * 1024,
			maxEntryBytes: 2 * 1024 * 1024,
			now: Date.now,
			...options
		};
		this.#shared = sharedVersion;
	}

	/** Whether entries may be served now without asking the shared version first. */
	get confirmed(): boolean {
		return !this.#shared || this.#options.now() - this.#confirmedAt < this.#shared.maxAgeMs;
	}

	/**
	 * Reads the shared version (one read for all concurrent callers) and empties the cache when it
	 * moved. False when it cannot be read: then nothing is served from or kept in the cache, since
	 * a withdrawal may be among what this instance cannot see.
	 */
	confirm(): Promise<boolean> {
		const shared = this.#shared;
		if (!shared) return Promise.resolve(true);
		this.#confirming ??= (async () => {
			const started = this.#options.now();
			try {
				const version = await shared.read();
				if (version !== this.#version) {
					this.clear();
					this.#version = version;
				}
				this.#confirmedAt = started;
				return true;
			} catch (error) {
				logger.warn('page cache: shared version unreadable, cache bypassed', error);
				this.clear();
				this.#version = null;
				this.#confirmedAt = -Infinity;
				return false;
			} finally {
				this.#confirming = null;
			}
		})();
		return this.#confirming;
	}

	/** After a write: empties this cache and bumps the shared version for the other instances. */
	async changed(): Promise<void> {
		this.clear();
		if (!this.#shared) return;
		try {
			await this.#shared.bump();
		} catch (error) {
			logger.error('page cache: shared version bump failed', error);
		}
	}

	get size(): number {
		return this.#entries.size;
	}

	/** Forgets everything, including renders still under way. */
	clear(): void {
		this.#generation++;
		this.#entries.clear();
		this.#pending.clear();
		this.#bytes = 0;
	}

	get(key: string): Entry | null {
		const entry = this.#entries.get(key);
		if (!entry) return null;
		if (entry.expires <= this.#options.now()) {
			this.#delete(key, entry);
			return null;
		}
		// Re-insert: Map order is the LRU order.
		this.#entries.delete(key);
		this.#entries.set(key, entry);
		return entry;
	}

	/**
	 * Renders through `render` once for all concurrent misses of `key`. Resolves with the entry
	 * when the response may be shared, else with the response itself for this caller alone.
	 */
	async fill(
		key: string,
		render: () => Promise<Response>
	): Promise<{ entry: Entry } | { response: Response }> {
		const pending = this.#pending.get(key);
		if (pending) {
			const entry = await pending;
			if (entry) return { entry };
			return { response: await render() };
		}
		const generation = this.#generation;
		let settle!: (entry: Entry | null) => void;
		this.#pending.set(key, new Promise((resolve) => (settle = resolve)));
		try {
			const response = await render();
			const maxAge = sharedMaxAge(response.headers.get('cache-control'));
			const ttlMs = Math.min(this.#options.ttlMs, (maxAge ?? 0) * 1000);
			if (response.status !== 200 || ttlMs <= 0 || response.headers.has('set-cookie')) {
				settle(null);
				return { response };
			}
			const body = new Uint8Array(await response.arrayBuffer());
			const entry: Entry = {
				status: response.status,
				headers: [...response.headers],
				body,
				etag: response.headers.get('etag'),
				expires: this.#options.now() + ttlMs,
				encoded: {},
				ready: {}
			};
			if (generation === this.#generation && body.byteLength <= this.#options.maxEntryBytes) {
				this.#store(key, entry);
			}
			settle(entry);
			return { entry };
		} catch (error) {
			settle(null);
			throw error;
		} finally {
			if (generation === this.#generation) this.#pending.delete(key);
		}
	}

	#store(key: string, entry: Entry): void {
		const old = this.#entries.get(key);
		if (old) this.#delete(key, old);
		this.#entries.set(key, entry);
		this.#bytes += entry.body.byteLength;
		for (const [oldKey, oldEntry] of this.#entries) {
			if (this.#entries.size <= this.#options.maxEntries && this.#bytes <= this.#options.maxBytes)
				break;
			this.#delete(oldKey, oldEntry);
		}
	}

	#delete(key: string, entry: Entry): void {
		if (this.#entries.get(key) !== entry) return;
		this.#entries.delete(key);
		this.#bytes -= entry.body.byteLength;
	}
}

async function encoded(entry: Entry, encoding: Encoding): Promise<Uint8Array> {
	// Compressed once per entry, at a high setting: the cost is shared by every hit.
	entry.encoded[encoding] ??= (
		encoding === 'br'
			? brotli(entry.body, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } })
			: gzipAsync(entry.body, { level: 9 })
	).then((bytes) => (entry.ready[encoding] = new Uint8Array(bytes)));
	return entry.encoded[encoding];
}

async function serve(entry: Entry, request: Request, hit: boolean): Promise<Response> {
	const headers = new Headers(entry.headers);
	headers.set('x-cache', hit ? 'hit' : 'miss');
	if (entry.etag && request.headers.get('if-none-match') === entry.etag) {
		return new Response(null, { status: 304, headers });
	}
	let body = entry.body;
	if (body.byteLength >= MIN_COMPRESS_BYTES && compressible(headers)) {
		withVary(headers);
		const encoding = chooseEncoding(request.headers.get('accept-encoding'));
		if (encoding) {
			body = await encoded(entry, encoding);
			headers.set('content-encoding', encoding);
		}
	}
	headers.set('content-length', String(body.byteLength));
	return new Response(request.method === 'HEAD' ? null : (body as BodyInit), {
		status: entry.status,
		headers
	});
}

function compressLive(response: Response, request: Request): Response {
	if (request.method === 'HEAD' || !response.body || !compressible(response.headers)) {
		return response;
	}
	const length = Number(response.headers.get('content-length') ?? Infinity);
	if (length < MIN_COMPRESS_BYTES) return response;
	const encoding = chooseEncoding(request.headers.get('accept-encoding'));
	if (!encoding) {
		const headers = new Headers(response.headers);
		withVary(headers);
		return new Response(response.body, { status: response.status, headers });
	}
	return compressStream(response, encoding);
}

/**
 * Which requests share entries: the URL as asked for, origin included (event.url drops
 * `__data.json` and SvelteKit's own parameters, so it would mix a page with its data; and behind a
 * proxy trusted with PROTOCOL_HEADER/HOST_HEADER the origin, hence HSTS and absolute links, can
 * differ per request), and whether HTML was asked for (a route with both a page and an endpoint
 * answers by Accept).
 */
function cacheKey(request: Request): string {
	return keyOf(request.headers.get('accept'), request.url);
}

function keyOf(accept: string | null | undefined, url: string, base?: string): string {
	const html = (accept ?? '').includes('text/html') ? 'h' : 'o';
	// Parsed, so both paths see the same normalised path (`/de/./gallery`, percent-encoding).
	const { origin, pathname, search } = new URL(url, base);
	return `${html} ${origin}${pathname}${search}`;
}

/** One value of a request header, as adapter-node reads it. */
function header(req: IncomingMessage, name: string | undefined): string | undefined {
	const value = name ? req.headers[name.toLowerCase()] : undefined;
	return (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim() || undefined;
}

/**
 * The origin adapter-node gives the request: ORIGIN, else the trusted PROTOCOL_HEADER and
 * HOST_HEADER (or Host), https by default. Null where it would refuse the request; a different
 * answer than adapter-node's only makes the fast path miss.
 */
function requestOrigin(req: IncomingMessage): string | null {
	const env = process.env;
	try {
		if (env.ORIGIN) return new URL(env.ORIGIN).origin;
		const protocol = decodeURIComponent(header(req, env.PROTOCOL_HEADER) ?? 'https');
		const host = header(req, env.HOST_HEADER) ?? header(req, 'host');
		if (protocol.includes(':') || !host) return null;
		return new URL(`${protocol}://${decodeURIComponent(host)}`).origin;
	} catch {
		return null;
	}
}

/**
 * Serves a request straight from the cache, before SvelteKit parses it into a Request: the fast
 * path server.js installs in front of adapter-node's handler. Only complete hits qualify (entry
 * fresh, the body already compressed in the encoding asked for); everything else returns false
 * and takes the normal way, which also fills the cache.
 */
export function serveFromCache(
	cache: PageCache,
	req: IncomingMessage,
	res: ServerResponse,
	extraHeaders: Record<string, string> = {}
): boolean {
	const { method, headers } = req;
	if ((method !== 'GET' && method !== 'HEAD') || !req.url) return false;
	if (hasAuthCookieHeader(headers.cookie)) return false;
	if (!cache.confirmed) return false;
	const origin = requestOrigin(req);
	if (!origin) return false;
	const entry = cache.get(keyOf(headers.accept, req.url, origin));
	if (!entry) return false;
	const out: Record<string, string> = { ...Object.fromEntries(entry.headers), ...extraHeaders };
	out['x-cache'] = 'hit';
	if (entry.etag && headers['if-none-match'] === entry.etag) {
		res.writeHead(304, out).end();
		return true;
	}
	let body = entry.body;
	if (body.byteLength >= MIN_COMPRESS_BYTES && COMPRESSIBLE.test(out['content-type'] ?? '')) {
		const encoding = chooseEncoding(headers['accept-encoding'] ?? null);
		if (encoding) {
			const compressed = entry.ready[encoding];
			if (!compressed) return false;
			body = compressed;
			out['content-encoding'] = encoding;
		}
		out.vary = varyWithEncoding(out.vary);
	}
	out['content-length'] = String(body.byteLength);
	res.writeHead(entry.status, out);
	res.end(method === 'HEAD' ? undefined : body);
	return true;
}

/** Where server.js finds the fast path of the running app's cache. */
export const FAST_PATH = Symbol.for('connecting-thread.page-cache.fast-path');

/** The cache and compression hook; `cache` is exposed for the purge path and for tests. */
export function createPageCacheHandle(options: PageCacheOptions): {
	handle: Handle;
	cache: PageCache;
} {
	const cache = new PageCache(options);
	if (options.ttlMs > 0) {
		// Hits answered here never reach the hooks, so they get their id and log line here.
		(globalThis as Record<symbol, unknown>)[FAST_PATH] = (
			req: IncomingMessage,
			res: ServerResponse
		) => {
			const started = performance.now();
			const requestId = requestIdFrom(req.headers['x-request-id']);
			if (!serveFromCache(cache, req, res, { 'x-request-id': requestId })) return false;
			logRequest({
				requestId,
				method: req.method,
				route: null,
				path: pathOf(req.url),
				status: res.statusCode,
				durationMs: performance.now() - started,
				cache: 'hit'
			});
			return true;
		};
	}
	const handle: Handle = async ({ event, resolve }) => {
		const { request } = event;
		if (request.method !== 'GET' && request.method !== 'HEAD') {
			const response = await resolve(event);
			// A change went through: whatever the public saw may be out of date now.
			if (response.status < 400) await cache.changed();
			return compressLive(response, request);
		}
		// Only URLs that name their language: an unprefixed one (`/feed.xml`) is answered in the
		// language of the visitor's cookie or browser, which the URL alone does not say.
		const localized = hasLocalePrefix(new URL(request.url).pathname);
		if (options.ttlMs <= 0 || hasAuthCookieHeader(request.headers.get('cookie')) || !localized) {
			return compressLive(await resolve(event), request);
		}
		if (!cache.confirmed && !(await cache.confirm())) {
			return compressLive(await resolve(event), request);
		}
		const key = cacheKey(request);
		const hit = cache.get(key);
		if (hit) return serve(hit, request, true);
		// A HEAD answer has no body to share with the GETs that follow.
		if (request.method === 'HEAD') return resolve(event);
		const filled = await cache.fill(key, () => Promise.resolve(resolve(event)));
		if ('entry' in filled) return serve(filled.entry, request, false);
		return compressLive(filled.response, request);
	};
	return { handle, cache };
}

/**
 * The shared version through the Data API with the app's service-role client: one small RPC at
 * most once a second per instance while pages are being served, none while it is idle.
 */
export function sharedPageCacheVersion(
	admin: () => SupabaseClient,
	maxAgeMs = 1000
): SharedVersion {
	return {
		maxAgeMs,
		async read() {
			const { data, error } = await admin().rpc('page_cache_version');
			if (error) throw new Error(`page_cache_version: ${error.message}`, { cause: error });
			return String(data);
		},
		async bump() {
			const { error } = await admin().rpc('bump_page_cache_version');
			if (error) throw new Error(`bump_page_cache_version: ${error.message}`, { cause: error });
		}
	};
}
