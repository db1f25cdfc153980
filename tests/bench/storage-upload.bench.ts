/**
 * storage_upload_throughput_ratio: MB/s of a 5 MB upload through the local stack's storage
 * service (unmodified supabase-js, a user's JWT, RLS policies, PGlite) divided by MB/s of
 * fs.writeFile of the same bytes in this process, to the same file system, same run. Uploads and
 * writes alternate so both see the same machine load; each figure is a median. The note adds a
 * third reference: the same bytes POSTed with fetch to a bare node:http server that only streams
 * them to a file, i.e. what HTTP alone costs before any Storage work; a second figure,
 * `storage_upload_vs_bare_http_ratio`, is the stack's MB/s divided by that reference's, so the
 * share of the time that is Storage's own work (RLS test, row, rename) stays visible when client
 * and transport dominate (fetch of a 5 MB Buffer in this same process costs far more than the
 * write to disk).
 *
 * The stack runs in its own process, as Supabase Storage does in production: with client and
 * server sharing one event loop, every chunk of the 5 MB body would wait for the other side's
 * turn, and the figure would measure that contention rather than Storage's work. A third figure,
 * `storage_upload_in_process_ratio`, keeps the in-process arrangement the test suites use.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import { createClient } from '@supabase/supabase-js';
import ws from 'ws';
import { client, makeUser, STORAGE_PROJECT } from '../integration/stack/storage-helpers.ts';
import { startTestStack } from '../helpers/stack.ts';
import { p50, type Bench } from './harness.ts';

const SIZE = 5 * 1024 * 1024;
const WARMUP = 3;
const SAMPLES = 11;

type Upload = () => Promise<number>;

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

const bench: Bench = async () => {
	const bytes = Buffer.alloc(SIZE);
	for (let i = 0; i < SIZE; i++) bytes[i] = (i * 31) % 251;
	// A Blob, as a browser's File is: Node's fetch sends a Buffer body through a web stream in small
	// pieces, which costs far more than the transfer itself and would be measured for both sides.
	const body = new Blob([bytes], { type: 'application/octet-stream' });
	const scratchDir = await mkdtemp(join(tmpdir(), 'ct-storage-bench-'));
	const scratch = join(scratchDir, 'bench-write');

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
	const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/`;
	const bareHttp = async () => {
		const started = performance.now();
		await (await fetch(sinkUrl, { method: 'POST', body })).text();
		return performance.now() - started;
	};

	/** Uploads, disk writes and bare POSTs alternate so all three see the same machine load. */
	async function measure(upload: Upload) {
		const uploads: number[] = [];
		const writes: number[] = [];
		const posts: number[] = [];
		for (let i = 0; i < WARMUP; i++) {
			await upload();
			await write();
			await bareHttp();
		}
		for (let i = 0; i < SAMPLES; i++) {
			uploads.push(await upload());
			writes.push(await write());
			posts.push(await bareHttp());
		}
		return { upload: p50(uploads), write: p50(writes), post: p50(posts) };
	}

	const timedUpload =
		(storage: ReturnType<ReturnType<typeof createClient>['storage']['from']>, folder: string) =>
		async () => {
			const started = performance.now();
			const { error } = await storage.upload(`${folder}/${randomUUID()}.bin`, body, {
				contentType: 'application/octet-stream'
			});
			if (error) throw new Error(`upload failed: ${error.message}`);
			return performance.now() - started;
		};

	try {
		// Out of process: a real user signs up through Auth and uploads under their own folder.
		const external = await startStackProcess(join(scratchDir, 'stack'));
		let separate;
		try {
			const supabase = createClient(external.url, external.publishable, {
				auth: { persistSession: false, autoRefreshToken: false },
				realtime: { transport: ws as never }
			});
			const { data, error } = await supabase.auth.signUp({
				email: `bench-${randomUUID()}@example.test`,
				password: 'bench-password-2026'
			});
			if (error || !data.user) throw new Error(`sign-up failed: ${error?.message}`);
			separate = await measure(timedUpload(supabase.storage.from('photos'), data.user.id));
		} finally {
			await external.stop();
		}

		// In process, as the test suites run it.
		const stack = await startTestStack({ kind: 'pglite', projectDir: STORAGE_PROJECT });
		let inProcess;
		try {
			const user = await makeUser(stack);
			const storage = client(stack, stack.keys.anon, user.token).storage.from('photos');
			inProcess = await measure(timedUpload(storage, user.id));
		} finally {
			await stack.close();
		}

		const mb = SIZE / (1024 * 1024);
		const rate = (ms: number) => mb / (ms / 1000);
		return [
			{
				name: 'storage_upload_throughput_ratio',
				value: rate(separate.upload),
				unit: 'MB/s',
				baseline: rate(separate.write),
				ratio: separate.write / separate.upload,
				target: '≥ 0.5',
				note: `stack in its own process; 5 MB p50: upload ${separate.upload.toFixed(1)} ms, fs.writeFile ${separate.write.toFixed(1)} ms, bare HTTP POST to a file ${separate.post.toFixed(1)} ms`
			},
			{
				name: 'storage_upload_vs_bare_http_ratio',
				value: rate(separate.upload),
				unit: 'MB/s',
				baseline: rate(separate.post),
				ratio: separate.post / separate.upload,
				note: 'the same upload vs fetch POSTing the same bytes to a bare node:http server streaming them to a file'
			},
			{
				name: 'storage_upload_in_process_ratio',
				value: rate(inProcess.upload),
				unit: 'MB/s',
				baseline: rate(inProcess.write),
				ratio: inProcess.write / inProcess.upload,
				note: `stack in the bench's own process; upload ${inProcess.upload.toFixed(1)} ms, fs.writeFile ${inProcess.write.toFixed(1)} ms`
			}
		];
	} finally {
		sink.close();
		await rm(scratchDir, { recursive: true, force: true });
	}
};

export default bench;
