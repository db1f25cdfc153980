/**
 * The whole system for the end-to-end benches (load, upload concurrency): the production build and
 * a fresh local stack started with scripts/start.ts on ports 6601/6602 (as playwright.config.ts
 * does), and participants who go through the real upload path: a draft through the app's form
 * action, the original with tus-js-client to Storage, then POST /api/uploads/<id>/process with
 * their session cookie. The benches run one after another, so they share the ports.
 *
 * `startSystem({ instances: 2 })` runs two app instances on the same stack (6611 from
 * scripts/start.ts, 6612 started here) behind a round-robin proxy on 6601, so every URL the
 * benches use stays the same; both instances have ORIGIN 6601, the public address.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type Agent, type Server } from 'node:http';
import { createServerClient } from '@supabase/ssr';
import * as tus from 'tus-js-client';
import { PUBLISHABLE_KEY, SECRET_KEY } from '../../supabase/local/src/core/keys.ts';
import { childOf, processRss as rss } from './load.ts';

const APP_PORT = 6601;
const STACK_PORT = 6602;
const INSTANCE_PORTS = [6611, 6612];
export const APP = `http://127.0.0.1:${APP_PORT}`;
export const STACK = `http://127.0.0.1:${STACK_PORT}`;
const DATA_DIR = '.local/load-bench';
const JOIN_CODE = 'FADEN-2026-DEMO';
const JOHANNSTADT = '10000000-0000-4000-8000-000000000001';
const MAX_PHOTOS = 8;
const CHUNK_SIZE = 6 * 1024 * 1024;

export const mb = (bytes: number) => Math.round(bytes / 1048576);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Answer {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: string;
}

export function http(
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

export async function waitFor(
	what: string,
	ms: number,
	check: () => Promise<boolean>
): Promise<void> {
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

/** Round robin over `ports`; the X-Forwarded-For the visitors send passes through as it is. */
function roundRobin(ports: number[]): Promise<Server> {
	let next = 0;
	const server = createServer((req, res) => {
		const port = ports[next++ % ports.length];
		const upstream = request(
			{ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers },
			(answer) => {
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			}
		);
		upstream.on('error', () => {
			if (!res.headersSent) res.writeHead(502);
			res.end();
		});
		req.pipe(upstream);
	});
	server.keepAliveTimeout = 65_000;
	return new Promise((resolve) => server.listen(APP_PORT, '127.0.0.1', () => resolve(server)));
}

export async function startSystem({ instances = 1 }: { instances?: 1 | 2 } = {}): Promise<{
	start: ChildProcess;
	/** The app processes (`node server.js`), one per instance. */
	apps: number[];
	stop(): Promise<void>;
}> {
	const firstPort = instances === 1 ? APP_PORT : INSTANCE_PORTS[0];
	const env = {
		...process.env,
		// Every visitor has an address of their own, as behind the reverse proxy in production.
		ADDRESS_HEADER: 'x-forwarded-for',
		XFF_DEPTH: '1',
		ORIGIN: APP
	};
	const start = spawn(
		process.execPath,
		[
			'--import',
			'tsx',
			'scripts/start.ts',
			'--port',
			String(firstPort),
			'--stack-port',
			String(STACK_PORT),
			'--host',
			'127.0.0.1',
			'--data-dir',
			DATA_DIR,
			'--reset',
			'--quiet'
		],
		{ env, stdio: ['ignore', 'ignore', 'inherit'] }
	);
	let second: ChildProcess | undefined;
	let proxy: Server | undefined;
	const exited = new Promise<void>((done) => start.once('exit', () => done()));
	const stop = async () => {
		const app = childOf(start.pid!, 'server.js');
		second?.kill('SIGTERM');
		proxy?.closeAllConnections();
		proxy?.close();
		start.kill('SIGTERM');
		await Promise.race([exited, sleep(20_000)]);
		for (const pid of [start.pid!, app, second?.pid]) {
			if (pid && rss(pid) > 0) process.kill(pid, 'SIGKILL');
		}
	};
	const firstUrl = `http://127.0.0.1:${firstPort}`;
	try {
		// A build may run first when sources changed since the last one.
		await waitFor('the app', 15 * 60_000, async () => {
			if (start.exitCode !== null) throw new Error(`scripts/start.ts exited (${start.exitCode})`);
			return (await http(`${firstUrl}/`, {})).status === 200;
		});
		const app = childOf(start.pid!, 'server.js');
		if (!app) throw new Error('app process not found');
		if (instances === 1) return { start, apps: [app], stop };
		second = spawn(process.execPath, ['server.js'], {
			env: {
				...env,
				PORT: String(INSTANCE_PORTS[1]),
				HOST: '127.0.0.1',
				PUBLIC_SUPABASE_URL: STACK,
				PUBLIC_SUPABASE_PUBLISHABLE_KEY: PUBLISHABLE_KEY,
				SUPABASE_SECRET_KEY: SECRET_KEY,
				BODY_SIZE_LIMIT: '30M',
				SWEEP_INTERVAL_MINUTES: '0'
			},
			stdio: ['ignore', 'ignore', 'inherit']
		});
		await waitFor('the second instance', 60_000, async () => {
			if (second?.exitCode !== null) throw new Error('the second instance exited');
			return (await http(`http://127.0.0.1:${INSTANCE_PORTS[1]}/healthz`, {})).status === 200;
		});
		proxy = await roundRobin(INSTANCE_PORTS);
		return { start, apps: [app, second.pid!], stop };
	} catch (error) {
		await stop();
		throw error;
	}
}

/** Waits until the demo pictures exist (seed-media runs in the start process after start-up). */
export async function waitForSeedMedia(): Promise<void> {
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

export interface Participant {
	index: number;
	cookie: () => string;
	token: () => string;
	userId: string;
	address: string;
	pieceId: string;
	photos: number;
}

export async function participant(index: number): Promise<Participant> {
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
		}
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
export async function newDraft(p: Participant): Promise<string> {
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

export function tusUpload(p: Participant, uploadId: string, bytes: Buffer): Promise<void> {
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
export async function uploadOne(p: Participant, bytes: Buffer): Promise<number> {
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
