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
 * Peak RSS of the app process (`node build/index.js`) and the stack process (scripts/start.ts with
 * PGlite), sampled every 200 ms; baseline = their RSS when idle before the load. Every page must
 * answer 2xx/3xx and every upload 201: `load_errors` must be 0 (the run fails otherwise).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createServerClient } from '@supabase/ssr';
import * as tus from 'tus-js-client';
import ws from 'ws';
import { PUBLISHABLE_KEY, SECRET_KEY } from '../../supabase/local/src/core/keys.ts';
import { generateTextileImage } from '../../src/lib/server/images/generate.ts';
import { percentile, type Bench, type BenchResult } from './harness.ts';
import { childOf, processRss as rss } from './load.ts';

const APP_PORT = 6601;
const STACK_PORT = 6602;
const APP = `http://127.0.0.1:${APP_PORT}`;
const STACK = `http://127.0.0.1:${STACK_PORT}`;
const DATA_DIR = '.local/load-bench';
const VISITORS = 50;
const UPLOADERS = 8;
const DURATION_MS = Number(process.env.LOAD_DURATION_MS ?? 60_000);
const BASELINE_MS = 10_000;
const JOIN_CODE = 'FADEN-2026-DEMO';
const JOHANNSTADT = '10000000-0000-4000-8000-000000000001';
const MAX_PHOTOS = 8;
const CHUNK_SIZE = 6 * 1024 * 1024;
const LOCALES = ['', '/en', '/uk', '/ar', '/fa'];

const mb = (bytes: number) => Math.round(bytes / 1048576);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: string;
}

function http(
	url: string,
	options: { method?: string; headers?: Record<string, string>; body?: string; agent?: Agent }
): Promise<Answer> {
	return new Promise((resolve, reject) => {
		const req = request(
			url,
			{ method: options.method ?? 'GET', headers: options.headers, agent: options.agent },
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () =>
					resolve({
						status: res.statusCode ?? 0,
						headers: res.headers,
						body: Buffer.concat(chunks).toString('utf8')
					})
				);
				res.on('error', reject);
			}
		);
		req.on('error', reject);
		req.end(options.body);
	});
}

async function waitFor(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
	const deadline = Date.now() + ms;
	while (Date.now() < deadline) {
		try {
			if (await check()) return;
		} catch (error) {
			// Not listening yet is expected; anything else ends the wait.
			if (!/ECONNREFUSED|ECONNRESET|socket hang up/.test((error as Error).message)) throw error;
		}
		await sleep(500);
	}
	throw new Error(`timed out waiting for ${what}`);
}

async function startSystem(): Promise<{ start: ChildProcess; app: number; stop(): Promise<void> }> {
	const start = spawn(
		process.execPath,
		[
			'--import',
			'tsx',
			'scripts/start.ts',
			'--port',
			String(APP_PORT),
			'--stack-port',
			String(STACK_PORT),
			'--host',
			'127.0.0.1',
			'--data-dir',
			DATA_DIR,
			'--reset',
			'--quiet'
		],
		{
			env: {
				...process.env,
				// Every visitor has an address of their own, as behind the reverse proxy in production.
				ADDRESS_HEADER: 'x-forwarded-for',
				XFF_DEPTH: '1'
			},
			stdio: ['ignore', 'ignore', 'inherit']
		}
	);
	const exited = new Promise<void>((done) => start.once('exit', () => done()));
	const stop = async () => {
		const app = childOf(start.pid!, 'build/index.js');
		start.kill('SIGTERM');
		await Promise.race([exited, sleep(20_000)]);
		for (const pid of [start.pid!, app]) {
			if (pid && rss(pid) > 0) process.kill(pid, 'SIGKILL');
		}
	};
	try {
		// A build may run first when sources changed since the last one.
		await waitFor('the app', 15 * 60_000, async () => {
			if (start.exitCode !== null) throw new Error(`scripts/start.ts exited (${start.exitCode})`);
			return (await http(`${APP}/`, {})).status === 200;
		});
		const app = childOf(start.pid!, 'build/index.js');
		if (!app) throw new Error('app process not found');
		return { start, app, stop };
	} catch (error) {
		await stop();
		throw error;
	}
}

/** Waits until the demo pictures exist (seed-media runs in the start process after start-up). */
async function waitForSeedMedia(): Promise<void> {
	const headers = { apikey: SECRET_KEY, authorization: `Bearer ${SECRET_KEY}` };
	const rows = JSON.parse(
		(
			await http(`${STACK}/rest/v1/piece_photos?select=master_path&order=id`, {
				headers
			})
		).body
	) as { master_path: string }[];
	for (const row of rows) {
		await waitFor('seed media', 10 * 60_000, async () => {
			const res = await http(`${STACK}/storage/v1/object/masters/${row.master_path}`, {
				headers
			});
			return res.status === 200;
		});
	}
}

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

interface Participant {
	index: number;
	cookie: () => string;
	token: () => string;
	userId: string;
	address: string;
	pieceId: string;
	photos: number;
}

async function participant(index: number): Promise<Participant> {
	const jar = new Map<string, string>();
	const supabase = createServerClient(STACK, PUBLISHABLE_KEY, {
		cookies: {
			getAll: () => [...jar].map(([name, value]) => ({ name, value })),
			setAll: (cookies) => {
				for (const { name, value } of cookies) {
					if (value) jar.set(name, value);
					else jar.delete(name);
				}
			}
		},
		realtime: { transport: ws as never }
	});
	const { data, error } = await supabase.auth.signInAnonymously();
	if (error || !data.session) throw error ?? new Error('no session');
	const joined = await supabase.rpc('join_workshop', {
		p_code: JOIN_CODE,
		p_display_name: `Load ${index}`,
		p_ui_language: 'de',
		p_age_bracket: '16_plus'
	});
	if (joined.error) throw joined.error;
	const token = data.session.access_token;
	const p: Participant = {
		index,
		cookie: () => [...jar].map(([n, v]) => `${n}=${v}`).join('; '),
		token: () => token,
		userId: data.user!.id,
		address: `10.1.0.${index + 1}`,
		pieceId: '',
		photos: 0
	};
	p.pieceId = await newDraft(p);
	return p;
}

/** A draft through the app's form action, as the "new piece" page submits it. */
async function newDraft(p: Participant): Promise<string> {
	const res = await http(`${APP}/pieces/new`, {
		method: 'POST',
		headers: {
			cookie: p.cookie(),
			origin: APP,
			// A browser without JavaScript: SvelteKit then answers the action with a real redirect.
			accept: 'text/html',
			'content-type': 'application/x-www-form-urlencoded',
			'x-forwarded-for': p.address
		},
		body: new URLSearchParams({ language: 'de', workshop: JOHANNSTADT }).toString()
	});
	const location = String(res.headers.location ?? '');
	const id = /\/me\/pieces\/([0-9a-f-]{36})\/edit/.exec(location)?.[1];
	if (res.status !== 303 || !id) throw new Error(`draft: ${res.status} ${res.body.slice(0, 200)}`);
	return id;
}

function tusUpload(p: Participant, uploadId: string, bytes: Buffer): Promise<void> {
	return new Promise((resolve, reject) => {
		const upload = new tus.Upload(bytes, {
			endpoint: `${STACK}/storage/v1/upload/resumable`,
			retryDelays: [0, 1000, 3000],
			chunkSize: CHUNK_SIZE,
			headers: { authorization: `Bearer ${p.token()}`, 'x-upsert': 'true' },
			uploadDataDuringCreation: true,
			storeFingerprintForResuming: false,
			metadata: {
				bucketName: 'originals',
				objectName: `${p.userId}/${uploadId}`,
				contentType: 'image/jpeg',
				cacheControl: '3600'
			},
			onError: reject,
			onSuccess: () => resolve()
		});
		upload.start();
	});
}

/** One photo through the real path; returns its latency in ms or throws. */
async function uploadOne(p: Participant, bytes: Buffer): Promise<number> {
	if (p.photos >= MAX_PHOTOS) {
		p.pieceId = await newDraft(p);
		p.photos = 0;
	}
	const uploadId = crypto.randomUUID();
	const t = performance.now();
	await tusUpload(p, uploadId, bytes);
	// The upload queue asks again on 503 (busy); count that as latency, not as an error.
	for (let attempt = 0; ; attempt++) {
		const res = await http(`${APP}/api/uploads/${uploadId}/process`, {
			method: 'POST',
			headers: {
				cookie: p.cookie(),
				origin: APP,
				'content-type': 'application/json',
				'x-forwarded-for': p.address
			},
			body: JSON.stringify({ pieceId: p.pieceId, role: 'front' })
		});
		if (res.status === 201) break;
		if (res.status === 503 && attempt < 6) {
			await sleep(2000 * 2 ** attempt);
			continue;
		}
		throw new Error(`process: ${res.status} ${res.body.slice(0, 200)}`);
	}
	p.photos++;
	return performance.now() - t;
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
				note: 'node build/index.js; baseline: idle after warm-up'
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
