/**
 * Registers the service worker (src/service-worker) for the participant pages of `locale` only:
 * one registration per scope, `/<lang>/pieces/new` and `/<lang>/me`. A single `/` scope would
 * also control the public pages, which are meant to stay plain server HTML. SvelteKit's own
 * registration (for every page, with scope `/`) is turned off in vite.config.ts; like it, this one
 * loads the worker as a module, the format SvelteKit builds it in.
 */
export async function registerOfflineWorker(locale: string): Promise<void> {
	if (!('serviceWorker' in navigator)) return;
	const scopes = [`/${locale}/pieces/new`, `/${locale}/me`];
	await Promise.all(
		scopes.map((scope) =>
			navigator.serviceWorker
				.register('/service-worker.js', { type: 'module', scope })
				.catch((error: unknown) => console.warn('[offline] no service worker', error))
		)
	);
}
