/** Closed-loop HTTP load against loopback servers: fixed concurrency for a fixed time. */
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { percentile } from './harness.ts';

export interface LoadResult {
	requests: number;
	errors: number;
	rps: number;
	p50: number;
	p95: number;
	p99: number;
}

function get(url: URL, agent: Agent): Promise<number> {
	return new Promise((resolve, reject) => {
		const req = request(url, { agent, method: 'GET' }, (res) => {
			res.on('data', () => {});
			res.on('end', () => resolve(res.statusCode ?? 0));
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end();
	});
}

/** Requests `urls` round-robin with `concurrency` workers for `durationMs` (after a warm-up). */
export async function load(
	urls: string[],
	{ concurrency = 10, durationMs = 5000, warmup = 50 } = {}
): Promise<LoadResult> {
	const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
	const targets = urls.map((u) => new URL(u));
	for (let i = 0; i < warmup; i++) await get(targets[i % targets.length], agent);
	const latencies: number[] = [];
	let errors = 0;
	let next = 0;
	const deadline = performance.now() + durationMs;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (performance.now() < deadline) {
				const t = performance.now();
				try {
					const status = await get(targets[next++ % targets.length], agent);
					if (status >= 400) errors++;
				} catch {
					errors++;
				}
				latencies.push(performance.now() - t);
			}
		})
	);
	const elapsed = (performance.now() - started) / 1000;
	agent.destroy();
	return {
		requests: latencies.length,
		errors,
		rps: latencies.length / elapsed,
		p50: percentile(latencies, 50),
		p95: percentile(latencies, 95),
		p99: percentile(latencies, 99)
	};
}

/**
 * Loads `subject` and `baseline` in alternating blocks (subject first), so both see the same
 * machine load on a shared, noisy machine, and merges each side's blocks into one result.
 */
export async function alternateLoad(
	subject: string[],
	baseline: string[],
	{ concurrency = 10, blocks = 5, blockMs = 1000 } = {}
): Promise<{ subject: LoadResult; baseline: LoadResult }> {
	const runs = { subject: [] as LoadResult[], baseline: [] as LoadResult[] };
	for (let i = 0; i < blocks; i++) {
		runs.subject.push(await load(subject, { concurrency, durationMs: blockMs, warmup: 10 }));
		runs.baseline.push(await load(baseline, { concurrency, durationMs: blockMs, warmup: 10 }));
	}
	const merge = (results: LoadResult[]): LoadResult => {
		const requests = results.reduce((sum, r) => sum + r.requests, 0);
		const seconds = results.reduce((sum, r) => sum + r.requests / r.rps, 0);
		const median = (key: 'p50' | 'p95' | 'p99') =>
			results.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(results.length / 2)];
		return {
			requests,
			errors: results.reduce((sum, r) => sum + r.errors, 0),
			rps: requests / seconds,
			p50: median('p50'),
			p95: median('p95'),
			p99: median('p99')
		};
	};
	return { subject: merge(runs.subject), baseline: merge(runs.baseline) };
}

/** A server that answers every request with the same bytes: the baseline for page renders. */
export async function staticServer(
	body: Buffer,
	contentType = 'text/html; charset=utf-8'
): Promise<{ url: string; close(): Promise<void> }> {
	const server: Server = createServer((_req, res) => {
		res.writeHead(200, { 'content-type': contentType, 'content-length': body.length });
		res.end(body);
	});
	await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/`,
		close: () => new Promise((done) => server.close(() => done()))
	};
}

/**
 * The same static server in its own process, like the app it is compared with: on a loaded
 * machine a server inside the load generator's process would be scheduled with it and win.
 */
export async function staticServerProcess(
	body: Buffer,
	contentType = 'text/html; charset=utf-8'
): Promise<{ url: string; close(): Promise<void> }> {
	const file = join(mkdtempSync(join(tmpdir(), 'bench-static-')), 'body');
	writeFileSync(file, body);
	const script = `
		const body = require('node:fs').readFileSync(${JSON.stringify(file)});
		const server = require('node:http').createServer((_req, res) => {
			res.writeHead(200, { 'content-type': ${JSON.stringify(contentType)}, 'content-length': body.length });
			res.end(body);
		});
		server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));`;
	const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
	const port = await new Promise<number>((resolve, reject) => {
		child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
		child.once('exit', (code) => reject(new Error(`static server exited with ${code}`)));
	});
	return {
		url: `http://127.0.0.1:${port}/`,
		close: () =>
			new Promise((done) => {
				child.once('exit', () => {
					rmSync(dirname(file), { recursive: true, force: true });
					done();
				});
				child.kill('SIGTERM');
			})
	};
}

/** Starts the production build (`build/index.js`) and waits until it answers. */
export async function startApp(
	env: Record<string, string>,
	port: number
): Promise<{ url: string; child: ChildProcess; close(): Promise<void> }> {
	const url = `http://127.0.0.1:${port}`;
	const child = spawn(process.execPath, ['build/index.js'], {
		env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ORIGIN: url, ...env },
		stdio: ['ignore', 'ignore', 'inherit']
	});
	for (let i = 0; i < 200; i++) {
		try {
			const res = await fetch(`${url}/`);
			await res.arrayBuffer();
			break;
		} catch {
			await new Promise((r) => setTimeout(r, 100));
		}
	}
	return {
		url,
		child,
		close: () =>
			new Promise((done) => {
				child.once('exit', () => done());
				child.kill('SIGTERM');
			})
	};
}

/** Resident memory of a process in bytes (Linux /proc), 0 once it is gone. */
export function processRss(pid: number): number {
	try {
		const line = readFileSync(`/proc/${pid}/status`, 'utf8')
			.split('\n')
			.find((l) => l.startsWith('VmRSS:'));
		return line ? Number(line.split(/\s+/)[1]) * 1024 : 0;
	} catch {
		return 0;
	}
}

/** The pid of a child of `parent` whose command line contains `match`, if one runs. */
export function childOf(parent: number, match: string): number | null {
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
			if (ppid === parent && cmd.includes(match)) return Number(entry);
		} catch {
			// gone meanwhile
		}
	}
	return null;
}
