/**
 * storage_upload_throughput_ratio: MB/s of a 5 MB upload through the local stack's storage
 * service (unmodified supabase-js, a user's JWT, RLS policies, PGlite) divided by MB/s of
 * fs.writeFile of the same bytes in this process, to the same file system, same run. Uploads and
 * writes alternate so both see the same machine load; each figure is a median.
 */
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
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

		for (let i = 0; i < WARMUP; i++) {
			await upload();
			await write();
		}
		const uploads: number[] = [];
		const writes: number[] = [];
		for (let i = 0; i < SAMPLES; i++) {
			uploads.push(await upload());
			writes.push(await write());
		}
		const mb = SIZE / (1024 * 1024);
		const stackRate = mb / (p50(uploads) / 1000);
		const diskRate = mb / (p50(writes) / 1000);
		return [
			{
				name: 'storage_upload_throughput_ratio',
				value: stackRate,
				unit: 'MB/s',
				baseline: diskRate,
				ratio: stackRate / diskRate,
				target: '≥ 0.5',
				note: `5 MB: upload p50 ${p50(uploads).toFixed(1)} ms, fs.writeFile p50 ${p50(writes).toFixed(1)} ms`
			}
		];
	} finally {
		await stack.close();
	}
};

export default bench;
