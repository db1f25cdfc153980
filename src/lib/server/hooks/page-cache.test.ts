import { setLogSink } from '../log.ts';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { ResolveOptions } from '@sveltejs/kit/hooks';
import type { RequestEvent } from '@sveltejs/kit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
	chooseEncoding,
	createPageCacheHandle,
	FAST_PATH,
	serveFromCache,
	sharedMaxAge,
	type SharedVersion
} from './page-cache';

const PUBLIC = 'public, max-age=0, s-maxage=300, stale-while-revalidate=86400';
const PAGE = `<!doctype html><html><body>${'<p>Ein Stück über Solidarität</p>'.repeat(200)}</body></html>`;

interface Rendered {
	status?: number;
	headers?: Record<string, string>;
	body?: string;
}

/** A hook under test plus a counter of how often the app behind it rendered. */
function setup(
	options: {
		ttlMs?: number;
		maxEntries?: number;
		now?: () => number;
		sharedVersion?: SharedVersion;
	} = {}
) {
	const { handle, cache } = createPageCacheHandle({ ttlMs: 60_000, ...options });
	let renders = 0;
	let next: Rendered = {};
	const call = async (
		path: string,
		init: RequestInit = {},
		rendered: Rendered | (() => Promise<Rendered>) = () => Promise.resolve(next)
	): Promise<Response> => {
		const request = new Request(new URL(path, 'http://localhost'), init);
		const resolve = async (_event: RequestEvent, _opts?: ResolveOptions) => {
			renders++;
			const r = typeof rendered === 'function' ? await rendered() : rendered;
			return new Response(r.body ?? PAGE, {
				status: r.status ?? 200,
				headers: { 'content-type': 'text/html', 'cache-control': PUBLIC, ...r.headers }
			});
		};
		return handle({ event: { request } as RequestEvent, resolve });
	};
	return {
		cache,
		call,
		renders: () => renders,
		setNext: (r: Rendered) => (next = r)
	};
}

describe('chooseEncoding', () => {
	it('prefers brotli, then gzip, and honours q=0', () => {
		expect(chooseEncoding('gzip, deflate, br')).toBe('br');
		expect(chooseEncoding('gzip')).toBe('gzip');
		expect(chooseEncoding('br;q=0, gzip;q=0.5')).toBe('gzip');
		expect(chooseEncoding('identity')).toBeNull();
		expect(chooseEncoding(null)).toBeNull();
		expect(chooseEncoding('*')).toBe('br');
		expect(chooseEncoding('*, br;q=0')).toBe('gzip');
	});
});

describe('sharedMaxAge', () => {
	it('reads s-maxage of public responses only', () => {
		expect(sharedMaxAge(PUBLIC)).toBe(300);
		expect(sharedMaxAge('public, max-age=60')).toBe(60);
		expect(sharedMaxAge('private, no-store')).toBeNull();
		expect(sharedMaxAge('public, no-store')).toBeNull();
		expect(sharedMaxAge('max-age=60')).toBeNull();
		expect(sharedMaxAge(null)).toBeNull();
	});
});

describe('page cache', () => {
	it('renders a public page once and serves the copy after', async () => {
		const t = setup();
		const first = await t.call('/de/gallery');
		const second = await t.call('/de/gallery');
		expect(first.headers.get('x-cache')).toBe('miss');
		expect(second.headers.get('x-cache')).toBe('hit');
		expect(await second.text()).toBe(PAGE);
		expect(second.headers.get('cache-control')).toBe(PUBLIC);
		expect(t.renders()).toBe(1);
	});

	it('keeps pages apart by query string, by Accept and by origin', async () => {
		const t = setup();
		await t.call('/de/gallery?workshop=a');
		await t.call('/de/gallery?workshop=b');
		await t.call('/de/gallery?workshop=a', { headers: { accept: 'text/html' } });
		await t.call('https://faden.example/de/gallery?workshop=a');
		expect(t.renders()).toBe(4);
		expect(t.cache.size).toBe(4);
	});

	it.each([
		['a private page', { headers: { 'cache-control': 'private, no-store' } }],
		['a page without cache-control', { headers: { 'cache-control': '' } }],
		['a response that sets a cookie', { headers: { 'set-cookie': 'a=b' } }],
		['a 404', { status: 404 }],
		['a redirect', { status: 303, headers: { location: '/de/' } }]
	])('never keeps %s', async (_name, rendered) => {
		const t = setup();
		t.setNext(rendered);
		await t.call('/de/x');
		await t.call('/de/x');
		expect(t.renders()).toBe(2);
		expect(t.cache.size).toBe(0);
	});

	it('keeps only URLs that name their language', async () => {
		const t = setup();
		await t.call('/feed.xml');
		await t.call('/feed.xml');
		await t.call('/de/feed.xml');
		await t.call('/de/feed.xml');
		expect(t.renders()).toBe(3);
		expect(t.cache.size).toBe(1);
	});

	it('bypasses the cache for requests with a session cookie', async () => {
		const t = setup();
		await t.call('/de/gallery');
		const signedIn = await t.call('/de/gallery', {
			headers: { cookie: 'theme=dark; sb-127-auth-token.0=base64-abc' }
		});
		expect(signedIn.headers.get('x-cache')).toBeNull();
		expect(t.renders()).toBe(2);
	});

	it('does not turn a HEAD answer into the body of later GETs', async () => {
		const t = setup();
		t.setNext({ body: '' });
		await t.call('/de/gallery', { method: 'HEAD' });
		t.setNext({});
		const get = await t.call('/de/gallery');
		expect(await get.text()).toBe(PAGE);
		const head = await t.call('/de/gallery', { method: 'HEAD' });
		expect(head.headers.get('x-cache')).toBe('hit');
		expect(await head.text()).toBe('');
	});

	it('is emptied by every successful write and kept on a refused one', async () => {
		const t = setup();
		await t.call('/de/gallery');
		t.setNext({ status: 400, headers: { 'cache-control': '' } });
		await t.call('/de/me?/withdraw', { method: 'POST' });
		expect(t.cache.size).toBe(1);
		t.setNext({ status: 303, headers: { location: '/de/me', 'cache-control': '' } });
		await t.call('/de/me?/withdraw', { method: 'POST' });
		expect(t.cache.size).toBe(0);
		t.setNext({});
		expect((await t.call('/de/gallery')).headers.get('x-cache')).toBe('miss');
	});

	it('does not store a render that began before the cache was emptied', async () => {
		const t = setup();
		let finish!: () => void;
		const slow = t.call('/de/gallery', {}, async () => {
			await new Promise<void>((resolve) => (finish = resolve));
			return { body: 'before the withdrawal' };
		});
		await new Promise((resolve) => setTimeout(resolve, 0));
		t.cache.clear();
		finish();
		expect(await (await slow).text()).toBe('before the withdrawal');
		expect(t.cache.size).toBe(0);
		expect(await (await t.call('/de/gallery')).text()).toBe(PAGE);
	});

	it('renders once for concurrent misses of the same page', async () => {
		const t = setup();
		const responses = await Promise.all(
			Array.from({ length: 5 }, () =>
				t.call('/de/gallery', {}, async () => {
					await new Promise((resolve) => setTimeout(resolve, 10));
					return {};
				})
			)
		);
		expect(t.renders()).toBe(1);
		for (const response of responses) expect(await response.text()).toBe(PAGE);
	});

	it('expires entries after the shorter of its TTL and s-maxage', async () => {
		let now = 0;
		const t = setup({ ttlMs: 60_000, now: () => now });
		await t.call('/de/a');
		t.setNext({ headers: { 'cache-control': 'public, s-maxage=10' } });
		await t.call('/de/b');
		now = 11_000;
		await t.call('/de/a');
		await t.call('/de/b');
		expect(t.renders()).toBe(3);
		now = 61_000;
		await t.call('/de/a');
		expect(t.renders()).toBe(4);
	});

	it('drops the least recently used page when full', async () => {
		const t = setup({ maxEntries: 2 });
		await t.call('/de/a');
		await t.call('/de/b');
		await t.call('/de/a');
		await t.call('/de/c');
		expect(t.cache.size).toBe(2);
		expect((await t.call('/de/a')).headers.get('x-cache')).toBe('hit');
		expect((await t.call('/de/b')).headers.get('x-cache')).toBe('miss');
	});

	it('stays off with a TTL of 0 but still compresses', async () => {
		const t = setup({ ttlMs: 0 });
		const response = await t.call('/de/gallery', { headers: { 'accept-encoding': 'gzip' } });
		await t.call('/de/gallery');
		expect(t.renders()).toBe(2);
		expect(response.headers.get('content-encoding')).toBe('gzip');
		expect(gunzipSync(Buffer.from(await response.arrayBuffer())).toString()).toBe(PAGE);
	});

	it('answers If-None-Match with 304 from the cache', async () => {
		const t = setup();
		t.setNext({ headers: { etag: 'W/"v1"' } });
		await t.call('/de/gallery');
		const revalidated = await t.call('/de/gallery', { headers: { 'if-none-match': 'W/"v1"' } });
		expect(revalidated.status).toBe(304);
		expect(await revalidated.text()).toBe('');
	});
});

describe('page cache shared by several instances', () => {
	/** The version as Postgres holds it for every instance; `down` makes reads fail. */
	function sharedStore(maxAgeMs = 1000) {
		const store = { version: 0, reads: 0, down: false };
		const shared: SharedVersion = {
			maxAgeMs,
			read: async () => {
				store.reads++;
				if (store.down) throw new Error('database away');
				return String(store.version);
			},
			bump: async () => {
				store.version++;
			}
		};
		return { store, shared };
	}

	it('serves from the cache only within maxAgeMs of a version read, one read at a time', async () => {
		let now = 0;
		const { store, shared } = sharedStore();
		const t = setup({ now: () => now, sharedVersion: shared });
		await t.call('/de/gallery');
		await Promise.all([t.call('/de/gallery'), t.call('/de/gallery')]);
		expect(store.reads).toBe(1);
		expect(t.renders()).toBe(1);
		now = 999;
		expect(t.cache.confirmed).toBe(true);
		now = 1000;
		expect(t.cache.confirmed).toBe(false);
		expect((await t.call('/de/gallery')).headers.get('x-cache')).toBe('hit');
		expect(store.reads).toBe(2);
	});

	it("empties the cache when another instance's write moved the version", async () => {
		let now = 0;
		const { store, shared } = sharedStore();
		const a = setup({ now: () => now, sharedVersion: shared });
		const b = setup({ now: () => now, sharedVersion: shared });
		await b.call('/de/pieces/1');
		expect((await b.call('/de/pieces/1')).headers.get('x-cache')).toBe('hit');
		a.setNext({ status: 303, headers: { location: '/de/me', 'cache-control': '' } });
		await a.call('/de/me?/withdraw', { method: 'POST' });
		expect(store.version).toBe(1);
		now = 1000;
		expect((await b.call('/de/pieces/1')).headers.get('x-cache')).toBe('miss');
		expect(b.renders()).toBe(2);
	});

	it('bypasses the cache while the version cannot be read, and recovers', async () => {
		let now = 0;
		const { store, shared } = sharedStore();
		const t = setup({ now: () => now, sharedVersion: shared });
		await t.call('/de/gallery');
		store.down = true;
		now = 2000;
		const lines: string[] = [];
		const previous = setLogSink((line) => lines.push(line));
		expect((await t.call('/de/gallery')).headers.get('x-cache')).toBeNull();
		expect(t.cache.size).toBe(0);
		setLogSink(previous);
		expect(lines.map((line) => JSON.parse(line).msg)).toEqual([
			'page cache: shared version unreadable, cache bypassed'
		]);
		store.down = false;
		now = 2001;
		expect((await t.call('/de/gallery')).headers.get('x-cache')).toBe('miss');
		expect((await t.call('/de/gallery')).headers.get('x-cache')).toBe('hit');
	});
});

describe('compression', () => {
	it('sends cached pages in brotli or gzip as asked, with Vary', async () => {
		const t = setup();
		await t.call('/de/gallery');
		const br = await t.call('/de/gallery', { headers: { 'accept-encoding': 'gzip, br' } });
		const gz = await t.call('/de/gallery', { headers: { 'accept-encoding': 'gzip' } });
		const plain = await t.call('/de/gallery');
		expect(br.headers.get('content-encoding')).toBe('br');
		expect(br.headers.get('vary')).toMatch(/Accept-Encoding/);
		const brBytes = Buffer.from(await br.arrayBuffer());
		expect(Number(br.headers.get('content-length'))).toBe(brBytes.byteLength);
		expect(brBytes.byteLength).toBeLessThan(PAGE.length / 10);
		expect(brotliDecompressSync(brBytes).toString()).toBe(PAGE);
		expect(gz.headers.get('content-encoding')).toBe('gzip');
		expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(PAGE);
		expect(plain.headers.get('content-encoding')).toBeNull();
		expect(await plain.text()).toBe(PAGE);
	});

	it('compresses private pages as they stream, but not small, binary or encoded ones', async () => {
		const t = setup();
		const headers = { 'accept-encoding': 'br', cookie: 'sb-x-auth-token=1' };
		const page = await t.call('/de/me', { headers }, { headers: { 'cache-control': 'private' } });
		expect(page.headers.get('content-encoding')).toBe('br');
		expect(brotliDecompressSync(Buffer.from(await page.arrayBuffer())).toString()).toBe(PAGE);
		const small = await t.call(
			'/de/me',
			{ headers },
			{ body: 'ok', headers: { 'content-length': '2' } }
		);
		expect(small.headers.get('content-encoding')).toBeNull();
		const image = await t.call(
			'/share.jpg',
			{ headers },
			{ headers: { 'content-type': 'image/jpeg' } }
		);
		expect(image.headers.get('content-encoding')).toBeNull();
	});
});

describe('fast path (server.js)', () => {
	// The entries below were rendered for http://localhost, as adapter-node would with this ORIGIN.
	beforeEach(() => vi.stubEnv('ORIGIN', 'http://localhost'));
	afterEach(() => vi.unstubAllEnvs());

	/** A real HTTP server answering from the cache first, like server.js, else "fallback". */
	async function withServer(
		cache: ReturnType<typeof setup>['cache'],
		run: (
			get: (
				path: string,
				headers?: Record<string, string>,
				method?: string
			) => Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>,
			fallbacks: () => number
		) => Promise<void>
	) {
		let fallbacks = 0;
		const server = createServer((req, res) => {
			if (serveFromCache(cache, req, res)) return;
			fallbacks++;
			res.end('fallback');
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const { port } = server.address() as AddressInfo;
		const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
			new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>(
				(resolve, reject) => {
					const req = httpRequest({ port, path, method, headers }, (res) => {
						const chunks: Buffer[] = [];
						res.on('data', (c: Buffer) => chunks.push(c));
						res.on('end', () =>
							resolve({
								status: res.statusCode ?? 0,
								headers: res.headers,
								body: Buffer.concat(chunks)
							})
						);
					});
					req.on('error', reject);
					req.end();
				}
			);
		try {
			await run(get, () => fallbacks);
		} finally {
			await new Promise((resolve) => server.close(resolve));
		}
	}

	it('is registered for server.js while the cache is on', () => {
		setup();
		expect(typeof (globalThis as Record<symbol, unknown>)[FAST_PATH]).toBe('function');
	});

	it('answers complete hits itself and hands everything else on', async () => {
		const t = setup();
		t.setNext({ headers: { etag: 'W/"v1"' } });
		await t.call('/de/gallery?page=2');
		await withServer(t.cache, async (get, fallbacks) => {
			const hit = await get('/de/gallery?page=2');
			expect(hit.status).toBe(200);
			expect(hit.headers['x-cache']).toBe('hit');
			expect(hit.headers['cache-control']).toBe(PUBLIC);
			expect(hit.headers.vary).toBe('Accept-Encoding');
			expect(hit.body.toString()).toBe(PAGE);
			// Same path, normalised as SvelteKit's URL would.
			expect((await get('/de/./gallery?page=2')).headers['x-cache']).toBe('hit');
			expect(fallbacks()).toBe(0);

			// Not compressed yet: the normal path compresses (and keeps) it first.
			await get('/de/gallery?page=2', { 'accept-encoding': 'br' });
			expect(fallbacks()).toBe(1);
			await t.call('/de/gallery?page=2', { headers: { 'accept-encoding': 'br' } });
			const br = await get('/de/gallery?page=2', { 'accept-encoding': 'br' });
			expect(br.headers['content-encoding']).toBe('br');
			expect(brotliDecompressSync(br.body).toString()).toBe(PAGE);
			expect(Number(br.headers['content-length'])).toBe(br.body.byteLength);

			const notModified = await get('/de/gallery?page=2', { 'if-none-match': 'W/"v1"' });
			expect(notModified.status).toBe(304);
			const head = await get('/de/gallery?page=2', {}, 'HEAD');
			expect(head.status).toBe(200);
			expect(head.body.byteLength).toBe(0);
			expect(fallbacks()).toBe(1);

			await get('/de/gallery?page=2', { cookie: 'sb-127-auth-token=x' });
			await get('/de/gallery?page=2', {}, 'POST');
			await get('/de/gallery?page=3');
			await get('/de/gallery?page=2', { accept: 'text/html' });
			expect(fallbacks()).toBe(5);
		});
	});

	it('never serves a page rendered for another origin', async () => {
		const t = setup();
		await t.call('/de/about');
		vi.stubEnv('ORIGIN', '');
		vi.stubEnv('PROTOCOL_HEADER', 'x-forwarded-proto');
		await withServer(t.cache, async (get, fallbacks) => {
			// Rendered for http://localhost; asked for as https://localhost or another host.
			await get('/de/about', { 'x-forwarded-proto': 'https', host: 'localhost' });
			await get('/de/about', { 'x-forwarded-proto': 'http', host: 'faden.example' });
			expect(fallbacks()).toBe(2);
			const same = await get('/de/about', { 'x-forwarded-proto': 'http', host: 'localhost' });
			expect(same.headers['x-cache']).toBe('hit');
		});
	});

	it('stops serving an entry the moment the cache is emptied', async () => {
		const t = setup();
		await t.call('/de/gallery');
		await withServer(t.cache, async (get, fallbacks) => {
			expect((await get('/de/gallery')).headers['x-cache']).toBe('hit');
			t.cache.clear();
			expect((await get('/de/gallery')).body.toString()).toBe('fallback');
			expect(fallbacks()).toBe(1);
		});
	});
});
