/**
 * load_*: the whole system under a workshop-day load for 60 seconds. The production build and a
 * fresh local stack are started with scripts/start.ts (as playwright.config.ts does) on ports
 * 6601/6602. 50 anonymous visitors browse gallery, piece and story pages in several languages
 * (closed loop, each its own keep-alive connection and its own address via X-Forwarded-For, as
 * behind the reverse proxy), while 8 participants upload 12-megapixel photos through the real
 * path: a draft through the app's form action, the original with tus-js-client to Storage, then
 * POST /api/uploads/<id>/process with their session cookie.
 *
 * Baselines, measured in the same run: pages with the visitors alone for 10 s; one upload alone.
 * Peak RSS of the app process (`node server.js`) and the stack process (scripts/start.ts with
 * PGlite), sampled every 200 ms; baseline = their RSS when idle before the load. Every page must
 * answer 2xx/3xx and every upload 201: `load_errors` must be 0 (the run fails otherwise).
 */
import { Agent } from 'node:http';
import { PUBLISHABLE_KEY } from '../../supabase/local/src/core/keys.ts';
import { generateTextileImage } from '../../src/lib/server/images/generate.ts';
import { percentile, type Bench, type BenchResult } from './harness.ts';
import { processRss as rss } from './load.ts';
import {
	APP,
	STACK,
	http,
	mb,
	participant,
	sleep,
	startSystem,
	uploadOne,
	waitForSeedMedia
} from './system.ts';

const VISITORS = 50;
const UPLOADERS = 8;
const DURATION_MS = Number(process.env.LOAD_DURATION_MS ?? 60_000);
const BASELINE_MS = 10_000;
const LOCALES = ['', '/en', '/uk', '/ar', '/fa'];

async function pageUrls(): Promise<string[]> {
	const get = async (path: string) =>
		JSON.parse(
			(
				await http(`${STACK}/rest/v1/${path}`, {
					headers: { apikey: PUBLISHABLE_KEY }
				})
			).body
		) as Record<string, string>[];
	const pieces = await get('pieces?select=id&status=eq.published&limit=24');
	const stories = await get('stories?select=slug&published=eq.true');
	if (pieces.length === 0) throw new Error('no published pieces in the seed');
	const paths = ['/gallery', '/gallery?page=2', '/stories'];
	for (const p of pieces) paths.push(`/pieces/${p.id}`);
	for (const s of stories) paths.push(`/stories/${s.slug}`);
	return LOCALES.flatMap((l) => paths.map((p) => `${APP}${l}${p}`));
}

interface Samples {
	latencies: number[];
	errors: string[];
}

/** 50 visitors, closed loop, until `until` resolves. */
async function visitors(urls: string[], stopAt: () => boolean, out: Samples): Promise<void> {
	await Promise.all(
		Array.from({ length: VISITORS }, async (_, v) => {
			const agent = new Agent({ keepAlive: true, maxSockets: 1 });
			const headers = { 'x-forwarded-for': `10.0.${v >> 8}.${(v & 255) + 1}` };
			let i = v * 7;
			while (!stopAt()) {
				const url = urls[i++ % urls.length];
				const t = performance.now();
				try {
					const res = await http(url, { headers, agent });
					if (res.status >= 400) out.errors.push(`${res.status} ${url}`);
				} catch (error) {
					out.errors.push(`${(error as Error).message} ${url}`);
				}
				out.latencies.push(performance.now() - t);
			}
			agent.destroy();
		})
	);
}

const bench: Bench = async () => {
	const photos = await Promise.all(
		[5, 6].map(
			async (seed) =>
				(
					await generateTextileImage({
						width: 4000,
						height: 3000,
						seed,
						format: 'jpeg',
						quality: 92
					})
				).data
		)
	);
	const system = await startSystem();
	const peak = { app: 0, stack: 0 };
	let sampler: NodeJS.Timeout | undefined;
	try {
		await waitForSeedMedia();
		const urls = await pageUrls();
		const participants = await Promise.all(
			Array.from({ length: UPLOADERS }, (_, i) => participant(i))
		);
		// Warm-up: every page once (compiles nothing, but fills caches as a running server has them).
		for (const url of urls) await http(url, { headers: { 'x-forwarded-for': '10.9.9.9' } });
		await sleep(2000);
		const idle = { app: rss(system.app), stack: rss(system.start.pid!) };

		const alone: Samples = { latencies: [], errors: [] };
		const aloneUntil = performance.now() + BASELINE_MS;
		await visitors(urls, () => performance.now() > aloneUntil, alone);
		const singleUpload = await uploadOne(participants[0], photos[0]);

		sampler = setInterval(() => {
			peak.app = Math.max(peak.app, rss(system.app));
			peak.stack = Math.max(peak.stack, rss(system.start.pid!));
		}, 200);
		const pages: Samples = { latencies: [], errors: [] };
		const uploads: Samples = { latencies: [], errors: [] };
		const started = performance.now();
		const until = started + DURATION_MS;
		const done = () => performance.now() > until;
		await Promise.all([
			visitors(urls, done, pages),
			...participants.map(async (p) => {
				while (!done()) {
					try {
						uploads.latencies.push(await uploadOne(p, photos[p.index % photos.length]));
					} catch (error) {
						uploads.errors.push((error as Error).message);
					}
				}
			})
		]);
		const seconds = (performance.now() - started) / 1000;
		clearInterval(sampler);

		const errors = [...alone.errors, ...pages.errors, ...uploads.errors];
		if (errors.length > 0) {
			console.error(`  load: ${errors.length} errors, first: ${errors.slice(0, 5).join(' | ')}`);
			process.exitCode = 1;
		}
		const pageFigure = (p: number): BenchResult => {
			const value = percentile(pages.latencies, p);
			const baseline = percentile(alone.latencies, p);
			return {
				name: `load_page_p${p}_ms`,
				value,
				unit: 'ms',
				baseline,
				ratio: value / baseline,
				note: `${VISITORS} visitors + ${UPLOADERS} uploaders, ${pages.latencies.length} pages in ${seconds.toFixed(0)} s (${(pages.latencies.length / seconds).toFixed(0)}/s); baseline: visitors alone (${alone.latencies.length} pages in ${BASELINE_MS / 1000} s)`
			};
		};
		const uploadFigure = (p: number): BenchResult => {
			const value = percentile(uploads.latencies, p);
			return {
				name: `load_upload_p${p}_ms`,
				value,
				unit: 'ms',
				baseline: singleUpload,
				ratio: value / singleUpload,
				note: `${uploads.latencies.length} uploads of 12 MP (${(photos[0].length / 1048576).toFixed(1)} MB) by ${UPLOADERS} participants, TUS + process; baseline: one upload alone`
			};
		};
		return [
			pageFigure(50),
			pageFigure(95),
			pageFigure(99),
			uploadFigure(50),
			uploadFigure(95),
			uploadFigure(99),
			{
				name: 'load_errors',
				value: errors.length,
				unit: 'count',
				target: '0',
				note: `pages ${alone.errors.length + pages.errors.length}, uploads ${uploads.errors.length}`
			},
			{
				name: 'load_app_peak_rss_mb',
				value: mb(peak.app),
				unit: 'MB',
				baseline: mb(idle.app),
				ratio: peak.app / idle.app,
				note: 'node server.js; baseline: idle after warm-up'
			},
			{
				name: 'load_stack_peak_rss_mb',
				value: mb(peak.stack),
				unit: 'MB',
				baseline: mb(idle.stack),
				ratio: peak.stack / idle.stack,
				note: 'local stack (PGlite, auth, REST, storage) in scripts/start.ts; baseline: idle'
			}
		];
	} finally {
		if (sampler) clearInterval(sampler);
		await system.stop();
	}
};

export default bench;
