/**
 * load_*: the whole system under a workshop-day load for 60 seconds. The production build and a
 * fresh local stack are started with scripts/start.ts (as playwright.config.ts does) on ports
 * 6601/6602. 50 anonymous visitors browse gallery, piece and story pages in several languages
 * (closed loop, each its own keep-alive connection and its own address via X-Forwarded-For, as
 * behind the reverse proxy), while 8 participants upload 12-megapixel photos through the real
 * path: a draft through the app's form action, the original with tus-js-client to Storage, then
 * POST /api/uploads/<id>/process with their session cookie.
 *
 * One more address searches ten at a time, more than the search limit regains, to count what the
 * rate limit lets through. Then the same again with two app instances behind a round-robin proxy
 * (tests/bench/system.ts), on a fresh stack: the `load_2_instances_*` figures, with the search
 * count compared to one instance's (shared limits keep it the same).
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

/**
 * One address searching (a room of people behind the venue's Wi-Fi: ten at a time, each query
 * different so no cache answers it), asking more than the limit regains: how many searches the
 * shared limit lets through. Refusals come before the search runs, so they are cheap.
 */
async function searcher(stopAt: () => boolean): Promise<{ allowed: number; limited: number }> {
	const counts = { allowed: 0, limited: 0 };
	let query = 0;
	await Promise.all(
		Array.from({ length: 10 }, async () => {
			const agent = new Agent({ keepAlive: true, maxSockets: 1 });
			while (!stopAt()) {
				const res = await http(`${APP}/de/gallery?q=${encodeURIComponent(`faden ${query++}`)}`, {
					headers: { 'x-forwarded-for': '10.8.0.1' },
					agent
				});
				if (res.status === 429) counts.limited++;
				else counts.allowed++;
			}
			agent.destroy();
		})
	);
	return counts;
}

interface Run {
	instances: number;
	seconds: number;
	alone: Samples;
	pages: Samples;
	uploads: Samples;
	search: { allowed: number; limited: number };
	singleUpload: number;
	idle: { app: number; stack: number };
	peak: { app: number; stack: number };
}

/** The workshop-day load against `instances` app instances on one fresh stack. */
async function run(instances: 1 | 2, photos: Buffer[]): Promise<Run> {
	const system = await startSystem({ instances });
	const peak = { app: 0, stack: 0 };
	const appRss = () => system.apps.reduce((sum, pid) => sum + rss(pid), 0);
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
		const idle = { app: appRss(), stack: rss(system.start.pid!) };

		const alone: Samples = { latencies: [], errors: [] };
		const aloneUntil = performance.now() + BASELINE_MS;
		await visitors(urls, () => performance.now() > aloneUntil, alone);
		const singleUpload = await uploadOne(participants[0], photos[0]);

		sampler = setInterval(() => {
			peak.app = Math.max(peak.app, appRss());
			peak.stack = Math.max(peak.stack, rss(system.start.pid!));
		}, 200);
		const pages: Samples = { latencies: [], errors: [] };
		const uploads: Samples = { latencies: [], errors: [] };
		const started = performance.now();
		const until = started + DURATION_MS;
		const done = () => performance.now() > until;
		const [search] = await Promise.all([
			searcher(done),
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
		return { instances, seconds, alone, pages, uploads, search, singleUpload, idle, peak };
	} finally {
		if (sampler) clearInterval(sampler);
		await system.stop();
	}
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
	const one = await run(1, photos);
	const two = await run(2, photos);
	const results: BenchResult[] = [];
	for (const r of [one, two]) {
		const prefix = r.instances === 1 ? 'load' : 'load_2_instances';
		const where = r.instances === 1 ? 'one instance' : 'two instances behind a round-robin proxy';
		const errors = [...r.alone.errors, ...r.pages.errors, ...r.uploads.errors];
		if (errors.length > 0) {
			console.error(
				`  ${prefix}: ${errors.length} errors, first: ${errors.slice(0, 5).join(' | ')}`
			);
			process.exitCode = 1;
		}
		const pageFigure = (p: number): BenchResult => {
			const value = percentile(r.pages.latencies, p);
			const baseline = percentile(r.alone.latencies, p);
			return {
				name: `${prefix}_page_p${p}_ms`,
				value,
				unit: 'ms',
				baseline,
				ratio: value / baseline,
				note: `${where}: ${VISITORS} visitors + ${UPLOADERS} uploaders + 1 searcher, ${r.pages.latencies.length} pages in ${r.seconds.toFixed(0)} s (${(r.pages.latencies.length / r.seconds).toFixed(0)}/s); baseline: visitors alone (${r.alone.latencies.length} pages in ${BASELINE_MS / 1000} s)`
			};
		};
		const uploadFigure = (p: number): BenchResult => {
			const value = percentile(r.uploads.latencies, p);
			return {
				name: `${prefix}_upload_p${p}_ms`,
				value,
				unit: 'ms',
				baseline: r.singleUpload,
				ratio: value / r.singleUpload,
				note: `${where}: ${r.uploads.latencies.length} uploads of 12 MP (${(photos[0].length / 1048576).toFixed(1)} MB) by ${UPLOADERS} participants, TUS + process; baseline: one upload alone`
			};
		};
		results.push(
			pageFigure(50),
			pageFigure(95),
			pageFigure(99),
			uploadFigure(50),
			uploadFigure(95),
			uploadFigure(99),
			{
				name: `${prefix}_errors`,
				value: errors.length,
				unit: 'count',
				target: '0',
				note: `${where}: pages ${r.alone.errors.length + r.pages.errors.length}, uploads ${r.uploads.errors.length}`
			},
			{
				name: `${prefix}_search_allowed`,
				value: r.search.allowed,
				unit: 'count',
				...(r.instances === 2
					? { baseline: one.search.allowed, ratio: r.search.allowed / one.search.allowed }
					: {}),
				note: `${where}: one address, 10 searches at a time for ${r.seconds.toFixed(0)} s, ${r.search.limited} answered 429 (limit 40 + 20/min: shared, the ratio to one instance stays near 1; per instance it would be near 2)`
			},
			{
				name: `${prefix}_app_peak_rss_mb`,
				value: mb(r.peak.app),
				unit: 'MB',
				baseline: mb(r.idle.app),
				ratio: r.peak.app / r.idle.app,
				note: `${where}: node server.js (all instances together); baseline: idle after warm-up`
			},
			{
				name: `${prefix}_stack_peak_rss_mb`,
				value: mb(r.peak.stack),
				unit: 'MB',
				baseline: mb(r.idle.stack),
				ratio: r.peak.stack / r.idle.stack,
				note: 'local stack (PGlite, auth, REST, storage) in scripts/start.ts; baseline: idle'
			}
		);
	}
	return results;
};

export default bench;
