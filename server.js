/**
 * Production entry: `node server.js` after `npm run build`. It is adapter-node's own server
 * (`build/index.js`, with every setting it reads: PORT, HOST, SOCKET_PATH, SHUTDOWN_TIMEOUT, …)
 * with one addition in front of its request handler: complete hits of the page cache
 * (src/lib/server/hooks/page-cache.ts) are answered straight from memory, before SvelteKit turns
 * the request into a Request object, which is most of the cost of a cached page. Everything else,
 * and every request while the app has not registered the fast path, goes to adapter-node as
 * usual. `node build` still works; it only lacks this shortcut.
 */
import { server } from './build/index.js';

const FAST_PATH = Symbol.for('connecting-thread.page-cache.fast-path');

/** adapter-node 6 exports its node:http server with one request listener; anything else means it changed. */
const listeners = typeof server?.listeners === 'function' ? server.listeners('request') : [];
if (listeners.length === 1) {
	const [handle] = listeners;
	server.removeListener('request', handle);
	server.on('request', (req, res) => {
		const serve = globalThis[FAST_PATH];
		if (typeof serve === 'function' && serve(req, res)) return;
		handle.call(server, req, res);
	});
} else {
	console.warn('server.js: adapter-node server not recognised; the page cache fast path is off');
}
