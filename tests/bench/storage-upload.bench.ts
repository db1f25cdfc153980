/**
 * storage_upload_throughput_ratio: MB/s of a 5 MB upload through the local stack's storage
 * service (a user's JWT, RLS policies, PGlite) divided by MB/s of fs.writeFile of the same bytes
 * in this process, to the same file system, same run; neither side fsyncs. Uploads and writes
 * alternate so both see the same machine load; each figure is a median.
 *
 * The request is exactly the one supabase-js sends for `storage.from('photos').upload(path, blob)`
 * (same method, path, headers, auth and multipart body): it is captured once from the unmodified
 * supabase-js by a local capture server, then sent with a lean `node:http` client, as a browser's
 * native fetch would send it. Node's fetch (undici) spends far more time pushing 5 MB from the
 * client than Storage spends on it (client and transport, not the service), so the supabase-js
 * figure is printed as its own row, `storage_upload_supabase_js_ratio`, against the same
 * baseline. `storage_upload_vs_bare_http_ratio` compares the stack with a bare node:http server
 * that only streams the same request body to a file, sent by the same lean client: the share of
 * the time that is Storage's own work (RLS test, row, rename).
 *
 * The stack runs in its own process, as Supabase Storage does in production: with client and
 * server sharing one event loop, every chunk of the 5 MB body would wait for the other side's
 * turn, and the figure would measure that contention rather than Storage's work.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Agent, createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import { createClient } from '@supabase/supabase-js';
import { STORAGE_PROJECT } from '../integration/stack/storage-helpers.ts';
import { p50, type Bench } from './harness.ts';

const SIZE = 5 * 1024 * 1024;
const WARMUP = 3;
const SAMPLES = 11;

/** `npm run supabase:local` on the storage fixture project in a child process; resolves once it listens. */
async function startStackProcess(dataDir: string) {
	const child = spawn(
		process.execPath,
		[
			'--import',
			'tsx',
			'supabase/local/src/cli.ts',
			'--project',
			STORAGE_PROJECT,
			'--port',
			'0',
			'--data-dir',
			dataDir,
			'--reset'
		],
		{ stdio: ['ignore', 'pipe', 'inherit'] }
	);
	let out = '';
	const started = await new Promise<{ url: string; publishable: string }>((done, fail) => {
		child.once('exit', (code) => fail(new Error(`stack exited early (${code}): ${out}`)));
		child.stdout.on('data', (chunk: Buffer) => {
			out += chunk.toString();
			const url = /local stack on (\S+)/.exec(out)?.[1];
			const publishable = /publishable key: (\S+)/.exec(out)?.[1];
			if (url && publishable) done({ url, publishable });
		});
	});
	return {
		...started,
		stop: () =>
			new Promise<void>((done) => {
				child.once('exit', () => done());
				child.kill('SIGTERM');
			})
	};
}

interface CapturedRequest {
	method: string;
	/** Path and query, with PROBE_NAME where the object name goes. */
	path: string;
	headers: IncomingHttpHeaders;
	body: Buffer;
}

const PROBE_NAME = 'capture-probe.bin';

/** Lets supabase-js upload `body` to a local capture server and records exactly what it sent. */
async function captureUpload(
	key: string,
	token: string,
	folder: string,
	body: Blob
): Promise<CapturedRequest> {
	let captured: CapturedRequest | null = null;
	const capture = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			captured = {
				method: req.method ?? 'POST',
				path: req.url ?? '/',
				headers: req.headers,
				body: Buffer.concat(chunks)
			};
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ Id: randomUUID(), Key: `photos/${folder}/${PROBE_NAME}` }));
		});
	});
	await new Promise<void>((done) => capture.listen(0, '127.0.0.1', () => done()));
	try {
		const port = (capture.address() as AddressInfo).port;
		// Same key and user token as the real client; only the origin differs.
		const supabase = createClient(`http://127.0.0.1:${port}`, key, {
			auth: { persistSession: false, autoRefreshToken: false },
			global: { headers: { Authorization: `Bearer ${token}` } }
		});
		const { error } = await supabase.storage
			.from('photos')
			.upload(`${folder}/${PROBE_NAME}`, body, { contentType: 'application/octet-stream' });
		if (error || !captured) throw new Error(`capture failed: ${error?.message}`);
	} finally {
		capture.close();
	}
	const request = captured as CapturedRequest;
	if (!request.path.includes(PROBE_NAME)) throw new Error(`unexpected path ${request.path}`);
	return request;
}

const bench: Bench = async () => {
	const bytes = Buffer.alloc(SIZE);
	for (let i = 0; i < SIZE; i++) bytes[i] = (i * 31) % 251;
	// A Blob, as a browser's File is (supabase-js sends it as multipart/form-data).
	const body = new Blob([bytes], { type: 'application/octet-stream' });
	const scratchDir = await mkdtemp(join(tmpdir(), 'ct-storage-bench-'));
	const scratch = join(scratchDir, 'bench-write');
	const agent = new Agent({ keepAlive: true, maxSockets: 1 });

	const write = async () => {
		const started = performance.now();
		await writeFile(scratch, bytes);
		const elapsed = performance.now() - started;
		await rm(scratch, { force: true });
		return elapsed;
	};

	const sink = createServer((req, res) => {
		void pipeline(req, createWriteStream(`${scratch}-http`)).then(() => res.end('ok'));
	});
	await new Promise<void>((done) => sink.listen(0, '127.0.0.1', () => done()));
	const sinkPort = (sink.address() as AddressInfo).port;

	/** The captured request, sent as is (the object name made unique) with node:http. */
	const send = (port: number, captured: CapturedRequest, name: string) =>
		new Promise<number>((done, fail) => {
			const headers = { ...captured.headers };
			delete headers.host;
			delete headers.connection;
			const started = performance.now();
			const req = request(
				{
					host: '127.0.0.1',
					port,
					method: captured.method,
					path: captured.path.replace(PROBE_NAME, name),
					headers,
					agent
				},
				(res) => {
					const chunks: Buffer[] = [];
					res.on('data', (chunk: Buffer) => chunks.push(chunk));
					res.on('end', () => {
						if (res.statusCode !== 200)
							fail(new Error(`upload answered ${res.statusCode}: ${Buffer.concat(chunks)}`));
						else done(performance.now() - started);
					});
				}
			);
			req.on('error', fail);
			req.end(captured.body);
		});

	/** Each upload, disk write and reference alternate so all see the same machine load. */
	async function measure(...runs: (() => Promise<number>)[]) {
		const samples = runs.map(() => [] as number[]);
		for (let i = 0; i < WARMUP + SAMPLES; i++)
			for (const [n, run] of runs.entries()) {
				const elapsed = await run();
				if (i >= WARMUP) samples[n].push(elapsed);
			}
		return samples.map((s) => p50(s));
	}

	try {
		// A real user signs up through Auth and uploads under their own folder.
		const external = await startStackProcess(join(scratchDir, 'stack'));
		let lean, viaJs, bare, disk, diskJs;
		try {
			const supabase = createClient(external.url, external.publishable, {
				auth: { persistSession: false, autoRefreshToken: false }
			});
			const { data, error } = await supabase.auth.signUp({
				email: `bench-${randomUUID()}@example.test`,
				password: 'bench-password-2026'
			});
			if (error || !data.user || !data.session)
				throw new Error(`sign-up failed: ${error?.message}`);
			const folder = data.user.id;
			const captured = await captureUpload(
				external.publishable,
				data.session.access_token,
				folder,
				body
			);
			const stackPort = Number(new URL(external.url).port);
			const storage = supabase.storage.from('photos');
			const viaSupabaseJs = async () => {
				const started = performance.now();
				const { error } = await storage.upload(`${folder}/${randomUUID()}.bin`, body, {
					contentType: 'application/octet-stream'
				});
				if (error) throw new Error(`upload failed: ${error.message}`);
				return performance.now() - started;
			};
			[lean, disk, bare] = await measure(
				() => send(stackPort, captured, `${randomUUID()}.bin`),
				write,
				() => send(sinkPort, captured, `${randomUUID()}.bin`)
			);
			[viaJs, diskJs] = await measure(viaSupabaseJs, write);
		} finally {
			await external.stop();
		}

		const mb = SIZE / (1024 * 1024);
		const rate = (ms: number) => mb / (ms / 1000);
		return [
			{
				name: 'storage_upload_throughput_ratio',
				value: rate(lean),
				unit: 'MB/s',
				baseline: rate(disk),
				ratio: disk / lean,
				target: '≥ 0.5',
				note: `stack in its own process; supabase-js's exact request (multipart, 5 MB) sent with node:http; p50: upload ${lean.toFixed(1)} ms, fs.writeFile ${disk.toFixed(1)} ms`
			},
			{
				name: 'storage_upload_supabase_js_ratio',
				value: rate(viaJs),
				unit: 'MB/s',
				baseline: rate(diskJs),
				ratio: diskJs / viaJs,
				note: `the same upload by supabase-js over Node's fetch (undici); p50: upload ${viaJs.toFixed(1)} ms, fs.writeFile ${diskJs.toFixed(1)} ms`
			},
			{
				name: 'storage_upload_vs_bare_http_ratio',
				value: rate(lean),
				unit: 'MB/s',
				baseline: rate(bare),
				ratio: bare / lean,
				note: `the same request to a bare node:http server streaming the body to a file: ${bare.toFixed(1)} ms`
			}
		];
	} finally {
		agent.destroy();
		sink.close();
		await rm(scratchDir, { recursive: true, force: true });
	}
};

export default bench;
