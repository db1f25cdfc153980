import { version } from '$app/env';
import { immutable } from '$app/manifest';
import { self } from '$app/service-worker';

/**
 * The participant pages' service worker. #lib/offline/register.ts registers it only with the
 * scopes `/<lang>/pieces/new` and `/<lang>/me`, so the public pages are never controlled by it and
 * nothing of theirs is cached here. It keeps two things:
 * - the build's immutable files (content-hashed names, so a cached one is never stale);
 * - the new-piece page and its data, fetched from the network whenever there is one and answered
 *   from the cache only when there is none, so the page opens in a basement without signal.
 * On 'sync' (Background Sync, Chromium) it wakes the open participant pages to send their outbox.
 */

const ASSETS = `ct-assets-${version}`;
const PAGES = `ct-pages-${version}`;
const SYNC_TAG = 'ct-outbox';
const NEW_PIECE = /^\/(de|en|uk|ar|fa)\/pieces\/new(\/__data\.json)?$/;
const IMMUTABLE = new Set(immutable.map((file) => `/${file.path}`));

interface SyncEvent extends ExtendableEvent {
	readonly tag: string;
}

/** The new-piece page (and its client-side data) in the language of this registration's scope. */
function newPiecePages(): string[] {
	const locale = new URL(self.registration.scope).pathname.split('/')[1];
	return [`/${locale}/pieces/new`, `/${locale}/pieces/new/__data.json`];
}

self.addEventListener('install', (event) => {
	event.waitUntil(
		(async () => {
			const assets = await caches.open(ASSETS);
			await assets.addAll(immutable.map((file) => file.path));
			// The page needs the session cookie and may redirect when signed out: not a reason to fail.
			const pages = await caches.open(PAGES);
			await Promise.all(newPiecePages().map((page) => keepPage(pages, new Request(page))));
			await self.skipWaiting();
		})()
	);
});

self.addEventListener('activate', (event) => {
	event.waitUntil(
		(async () => {
			for (const key of await caches.keys()) {
				if (key !== ASSETS && key !== PAGES) await caches.delete(key);
			}
			await self.clients.claim();
		})()
	);
});

/** Fetches `request` and keeps the answer if it is the page itself, not a redirect or an error. */
async function keepPage(cache: Cache, request: Request): Promise<Response> {
	const response = await fetch(request);
	const key = new URL(request.url).pathname;
	if (response.ok && !response.redirected && response.type === 'basic') {
		await cache.put(key, response.clone());
	} else {
		// Signed out or no longer a participant: the page of before must not open offline.
		await cache.delete(key);
	}
	return response;
}

async function newPiecePage(request: Request): Promise<Response> {
	const cache = await caches.open(PAGES);
	try {
		return await keepPage(cache, request);
	} catch {
		return (await cache.match(new URL(request.url).pathname)) ?? Response.error();
	}
}

async function asset(request: Request): Promise<Response> {
	return (await caches.match(request, { cacheName: ASSETS })) ?? fetch(request);
}

self.addEventListener('fetch', (event) => {
	const { request } = event;
	if (request.method !== 'GET') return;
	const url = new URL(request.url);
	if (url.origin !== self.location.origin) return;
	if (NEW_PIECE.test(url.pathname)) event.respondWith(newPiecePage(request));
	else if (IMMUTABLE.has(url.pathname)) event.respondWith(asset(request));
	// Everything else goes to the network as if there were no service worker.
});

self.addEventListener('sync', (event) => {
	const sync = event as SyncEvent;
	if (sync.tag !== SYNC_TAG) return;
	sync.waitUntil(
		(async () => {
			const windows = await self.clients.matchAll({ type: 'window' });
			for (const client of windows) client.postMessage({ type: SYNC_TAG });
		})()
	);
});
