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
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import { client, makeUser, STORAGE_PROJECT } from '../integration/stack/storage-helpers.ts';
import { startTestStack } from '../helpers/stack.ts';
import { p50, type Bench } from './harness.ts';

const SIZE = 5 * 1024 * 1024;
const WARMUP = 3;
const SAMPLES = 11;

const bench: Bench = async () => {
	const stack = await startTestStack({ kind: 'pglite', projectDir: STORAGE_PROJECT });
	try {
		const user = await makeUser(stack);
		const storage = client(stack, stack.keys.anon, user.token).storage.from('photos');
		const body = Buffer.alloc(SIZE);
		for (let i = 0; i < SIZE; i++) body[i] = (i * 31) % 251;
		const scratch = join(stack.stack.dataDir, 'bench-write');

		const upload = async () => {
			const started = performance.now();
			const { error } = await storage.upload(`${user.id}/${randomUUID()}.bin`, body, {
				contentType: 'application/octet-stream'
			});
			if (error) throw new Error(`upload failed: ${error.message}`);
			return performance.now() - started;
		};
		const write = async () => {
			const started = performance.now();
			await writeFile(scratch, body);
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

		const uploads: number[] = [];
		const writes: number[] = [];
		const posts: number[] = [];
		try {
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
		} finally {
			sink.close();
			await rm(`${scratch}-http`, { force: true });
		}
		const mb = SIZE / (1024 * 1024);
		const stackRate = mb / (p50(uploads) / 1000);
		const diskRate = mb / (p50(writes) / 1000);
		const httpRate = mb / (p50(posts) / 1000);
		return [
			{
				name: 'storage_upload_throughput_ratio',
				value: stackRate,
				unit: 'MB/s',
				baseline: diskRate,
				ratio: stackRate / diskRate,
				target: '≥ 0.5',
				note: `5 MB p50: upload ${p50(uploads).toFixed(1)} ms, fs.writeFile ${p50(writes).toFixed(1)} ms, bare HTTP POST to a file ${p50(posts).toFixed(1)} ms`
			},
			{
				name: 'storage_upload_vs_bare_http_ratio',
				value: stackRate,
				unit: 'MB/s',
				baseline: httpRate,
				ratio: stackRate / httpRate,
				note: 'the same upload vs fetch POSTing the same bytes to a bare node:http server streaming them to a file'
			}
		];
	} finally {
		await stack.close();
	}
};

export default bench;
