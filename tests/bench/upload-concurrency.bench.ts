/**
 * upload_concurrency_peak_rss_mb: eight participants upload a 12-megapixel JPEG each at the same
 * moment through the real endpoint, on the production build and a fresh local stack started as
 * `npm start` does (tests/bench/system.ts): a draft through the form action, the original by TUS
 * to Storage, then POST /api/uploads/<id>/process with their session cookie. When the app's image
 * pool is full it answers 503 and the client asks again with backoff, as the browser's upload
 * queue does. All eight must be stored. The figure is the app process's peak RSS, sampled every
 * 20 ms; the baseline is its RSS idle just before the burst. The stack's peak is in the note.
 */
import { generateTextileImage } from '../../src/lib/server/images/generate.ts';
import type { Bench } from './harness.ts';
import { processRss as rss } from './load.ts';
import { mb, participant, sleep, startSystem, uploadOne, waitForSeedMedia } from './system.ts';

const UPLOADS = 8;

const bench: Bench = async () => {
	const image = await generateTextileImage({
		width: 4000,
		height: 3000,
		seed: 7,
		format: 'jpeg',
		quality: 92
	});
	const system = await startSystem();
	let sampler: NodeJS.Timeout | undefined;
	try {
		// The demo pictures are processed in the background after start; let that finish first.
		await waitForSeedMedia();
		const participants = await Promise.all(
			Array.from({ length: UPLOADS }, (_, i) => participant(i))
		);
		await sleep(2000);
		const idle = rss(system.apps[0]);
		const peak = { app: idle, stack: rss(system.start.pid!) };
		sampler = setInterval(() => {
			peak.app = Math.max(peak.app, rss(system.apps[0]));
			peak.stack = Math.max(peak.stack, rss(system.start.pid!));
		}, 20);
		const started = performance.now();
		const results = await Promise.allSettled(participants.map((p) => uploadOne(p, image.data)));
		const seconds = (performance.now() - started) / 1000;
		clearInterval(sampler);
		const failed = results.filter((r) => r.status === 'rejected');
		if (failed.length > 0)
			throw new Error(
				`${failed.length} of ${UPLOADS} uploads failed: ${String((failed[0] as PromiseRejectedResult).reason)}`
			);
		return [
			{
				name: 'upload_concurrency_peak_rss_mb',
				value: mb(peak.app),
				unit: 'MB',
				baseline: mb(idle),
				ratio: peak.app / idle,
				target: '< 1500 MB',
				note: `${UPLOADS} × ${image.width}×${image.height} JPEG (${(image.data.length / 1048576).toFixed(1)} MB each) through TUS + the process endpoint in ${seconds.toFixed(1)} s, all stored; stack process peak ${mb(peak.stack)} MB`
			}
		];
	} finally {
		if (sampler) clearInterval(sampler);
		await system.stop();
	}
};

export default bench;
