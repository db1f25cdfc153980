/**
 * Keeps a kiosk's pictures in memory as blobs, so the slideshow goes on from what it has when the
 * network drops (a kiosk is never reloaded; a service worker would add nothing but moving parts).
 * Pictures that failed to load are tried again when the browser comes back online.
 */
export function preloadImages(
	urls: string[],
	onReady: (url: string, objectUrl: string) => void,
	concurrency = 2
): () => void {
	const controller = new AbortController();
	const objectUrls: string[] = [];
	const pending = [...new Set(urls)];
	const failed: string[] = [];
	let running = 0;

	async function fetchOne(url: string): Promise<void> {
		try {
			const response = await fetch(url, { signal: controller.signal });
			if (!response.ok) throw new Error(String(response.status));
			const objectUrl = URL.createObjectURL(await response.blob());
			if (controller.signal.aborted) {
				URL.revokeObjectURL(objectUrl);
				return;
			}
			objectUrls.push(objectUrl);
			onReady(url, objectUrl);
		} catch {
			if (!controller.signal.aborted) failed.push(url);
		}
	}

	function pump(): void {
		while (running < concurrency && pending.length > 0) {
			const url = pending.shift()!;
			running++;
			void fetchOne(url).finally(() => {
				running--;
				pump();
			});
		}
	}

	function retry(): void {
		pending.push(...failed.splice(0));
		pump();
	}

	window.addEventListener('online', retry);
	pump();
	return () => {
		controller.abort();
		window.removeEventListener('online', retry);
		for (const objectUrl of objectUrls) URL.revokeObjectURL(objectUrl);
	};
}

/** Keeps the screen on while the kiosk shows; re-acquired when the tab becomes visible again. */
export function keepAwake(onChange: (active: boolean) => void): () => void {
	let sentinel: WakeLockSentinel | null = null;
	let stopped = false;
	async function acquire(): Promise<void> {
		if (!('wakeLock' in navigator) || document.visibilityState !== 'visible') {
			onChange(false);
			return;
		}
		try {
			sentinel = await navigator.wakeLock.request('screen');
			if (stopped) {
				await sentinel.release();
				return;
			}
			onChange(true);
			sentinel.addEventListener('release', () => onChange(false));
		} catch {
			// Refused (power saving, policy): the show goes on, the screen may dim.
			onChange(false);
		}
	}
	const onVisible = () => {
		if (document.visibilityState === 'visible') void acquire();
	};
	document.addEventListener('visibilitychange', onVisible);
	void acquire();
	return () => {
		stopped = true;
		document.removeEventListener('visibilitychange', onVisible);
		void sentinel?.release().catch(() => {});
	};
}
