/**
 * Faults injected for real while a photo is processed (the code behind
 * POST /api/uploads/[id]/process): Storage unreachable, answering 503, slow, failing or cut in the
 * middle of writing the files; the database refusing or losing the answer to the row insert, or
 * going down after the files were written; the process killed while decoding and while writing.
 * Every client here talks to the stack through the HTTP fault proxy (and, on Postgres, the stack
 * talks to the database through the TCP one). After each fault: no row points at a missing object,
 * no object is orphaned (or the sweeper removes it), the original is kept for a retry when the
 * fault was transient, and the retry succeeds.
 */
import { spawn } from 'node:child_process';
import type { SupabaseClient } from '@supabase/supabase-js';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testDbKinds } from '../../helpers/stack.ts';
import { adminClient, JOHANNSTADT, joinAsParticipant } from '../participant/support.ts';
import { processUpload, type StoredPhoto } from '../../../src/lib/server/pieces/photos.ts';
import { isPieceError } from '../../../src/lib/server/pieces/errors.ts';
import { createDraft } from '../../../src/lib/server/pieces/drafts.ts';
import { generateTextileImage } from '../../../src/lib/server/images/generate.ts';
import { sweep } from '../../../src/lib/server/sweeper.ts';
import { expectConsistent, originals, startFaultStack, type FaultStack } from './support.ts';

const MASTERS_WRITE = /^\/storage\/v1\/object\/masters\//;
const PHOTO_INSERT = /^\/rest\/v1\/piece_photos(\?|$)/;

async function photoJpeg(): Promise<Buffer> {
	return sharp({ create: { width: 1400, height: 1000, channels: 3, background: '#5a2e7a' } })
		.withExif({ IFD0: { Make: 'PhoneMaker' } })
		.jpeg()
		.toBuffer();
}

describe.each(testDbKinds())('upload faults on %s', (kind) => {
	let fs: FaultStack;
	/** Direct to the stack, for checks. */
	let admin: SupabaseClient;
	/** Through the proxy, for the code under test. */
	let proxiedAdmin: SupabaseClient;
	let p: { supabase: SupabaseClient; userId: string };
	let jpeg: Buffer;

	beforeAll(async () => {
		fs = await startFaultStack(kind);
		admin = adminClient(fs.stack);
		proxiedAdmin = adminClient(fs.proxied);
		p = await joinAsParticipant(fs.proxied, 'Olena');
		jpeg = await photoJpeg();
	});
	afterEach(() => {
		fs.http.clear();
		fs.http.hits.length = 0;
		fs.db?.set('pass');
	});
	afterAll(async () => {
		await fs?.close();
	});

	const prepare = async (bytes = jpeg) => {
		const pieceId = (await createDraft(p.supabase, p.userId, JOHANNSTADT, 'uk'))!;
		const uploadId = crypto.randomUUID();
		const up = await p.supabase.storage
			.from('originals')
			.upload(`${p.userId}/${uploadId}`, bytes, { contentType: 'image/jpeg' });
		if (up.error) throw up.error;
		return { pieceId, uploadId };
	};
	const attempt = (pieceId: string, uploadId: string) =>
		processUpload({
			supabase: p.supabase,
			admin: proxiedAdmin,
			userId: p.userId,
			uploadId,
			pieceId,
			role: 'front'
		}).then(
			(photo): { photo: StoredPhoto; error: null } => ({ photo, error: null }),
			(error: unknown) => ({ photo: null, error })
		);
	const rows = async (pieceId: string) => {
		const { data, error } = await admin.from('piece_photos').select('id').eq('piece_id', pieceId);
		if (error) throw error;
		return data.map((r) => r.id as string);
	};
	/** A transient fault: the endpoint answers 503 (the upload queue asks again later). */
	const expectRetryable = (error: unknown) => {
		expect(isPieceError(error) ? [error.code, error.status] : error).toEqual([
			'piece_upload_failed',
			503
		]);
	};
	/** After a transient fault: no row, the original kept, and then a retry that succeeds. */
	const expectRecovers = async (
		pieceId: string,
		uploadId: string,
		{ orphansForSweeper = false } = {}
	) => {
		expect(await rows(pieceId)).toEqual([]);
		expect(await originals(admin, p.userId)).toContain(uploadId);
		await expectConsistent(admin, p.userId, { allowOrphans: orphansForSweeper });
		const retry = await attempt(pieceId, uploadId);
		expect(retry.error).toBeNull();
		expect(await rows(pieceId)).toEqual([retry.photo!.id]);
		expect(await originals(admin, p.userId)).not.toContain(uploadId);
		if (orphansForSweeper) {
			// Nothing else is in flight now, so no retention period is needed to tell orphans apart.
			const report = await sweep({ admin, uploadRetentionMs: 0, log: () => {} });
			expect(report.errors).toEqual([]);
		}
		await expectConsistent(admin, p.userId);
	};

	it('Storage unreachable: a retryable error, nothing written, the original kept', async () => {
		const { pieceId, uploadId } = await prepare();
		fs.http.add({ path: '/storage/v1/', action: { kind: 'refuse' } });
		const { error } = await attempt(pieceId, uploadId);
		expectRetryable(error);
		fs.http.clear();
		await expectRecovers(pieceId, uploadId);
	});

	it('Storage answering 503 to the download: retryable, and the retry succeeds', async () => {
		const { pieceId, uploadId } = await prepare();
		fs.http.add({
			method: 'GET',
			path: '/storage/v1/object/originals/',
			action: { kind: 'status', status: 503 }
		});
		expectRetryable((await attempt(pieceId, uploadId)).error);
		fs.http.clear();
		await expectRecovers(pieceId, uploadId);
	});

	it('slow Storage: every request held back still ends in a stored photo', async () => {
		const { pieceId, uploadId } = await prepare();
		fs.http.add({ path: '/storage/v1/', action: { kind: 'delay', ms: 400 } });
		const { photo, error } = await attempt(pieceId, uploadId);
		expect(error).toBeNull();
		expect(fs.http.hits.some((h) => h.fault === 'delay' && MASTERS_WRITE.test(h.path))).toBe(true);
		expect(await rows(pieceId)).toEqual([photo!.id]);
		expect(await originals(admin, p.userId)).not.toContain(uploadId);
		await expectConsistent(admin, p.userId);
	});

	it('Storage failing in the middle of writing the files: those written are removed', async () => {
		const { pieceId, uploadId } = await prepare();
		fs.http.add({
			method: 'POST',
			path: MASTERS_WRITE,
			skip: 2,
			times: 1,
			action: { kind: 'status', status: 503 }
		});
		expectRetryable((await attempt(pieceId, uploadId)).error);
		const written = fs.http.hits.filter((h) => h.method === 'POST' && MASTERS_WRITE.test(h.path));
		expect(written).toHaveLength(3);
		fs.http.clear();
		await expectRecovers(pieceId, uploadId);
	});

	it('the connection cut in the middle of a file: no partial object survives', async () => {
		const { pieceId, uploadId } = await prepare();
		fs.http.add({
			method: 'POST',
			path: MASTERS_WRITE,
			times: 1,
			action: { kind: 'cut-request', afterBytes: 16_000 }
		});
		expectRetryable((await attempt(pieceId, uploadId)).error);
		fs.http.clear();
		await expectRecovers(pieceId, uploadId);
	});

	it('the database refusing the row after the files were written: compensating delete', async () => {
		const { pieceId, uploadId } = await prepare();
		fs.http.add({ method: 'POST', path: PHOTO_INSERT, action: { kind: 'status', status: 503 } });
		expectRetryable((await attempt(pieceId, uploadId)).error);
		fs.http.clear();
		await expectRecovers(pieceId, uploadId);
	});

	it('the answer lost after the row was written: the row is undone before the files go', async () => {
		const { pieceId, uploadId } = await prepare();
		fs.http.add({
			method: 'POST',
			path: PHOTO_INSERT,
			times: 1,
			action: { kind: 'drop-response' }
		});
		expectRetryable((await attempt(pieceId, uploadId)).error);
		fs.http.clear();
		await expectRecovers(pieceId, uploadId);
	});

	it('the database going down after the files were written: the sweeper removes them', async () => {
		const { pieceId, uploadId } = await prepare();
		fs.http.add({
			method: 'POST',
			path: PHOTO_INSERT,
			times: 1,
			before: () => {
				if (fs.db) {
					// Postgres really goes away: open connections drop, new ones are refused.
					fs.db.set('refuse');
					fs.db.cutAll();
				} else {
					// PGlite lives inside the stack's process; from outside the whole service fails.
					fs.http.add({ path: '/', action: { kind: 'status', status: 503 } });
				}
			},
			// On PGlite the insert itself meets the outage too.
			action: fs.db ? { kind: 'pass' } : { kind: 'status', status: 503 }
		});
		expectRetryable((await attempt(pieceId, uploadId)).error);
		fs.http.clear();
		fs.db?.set('pass');
		const { orphans } = await expectConsistent(admin, p.userId, { allowOrphans: true });
		// The clean-up could not reach the database either: the files stay until the sweeper runs.
		expect(orphans.length).toBeGreaterThan(0);
		await expectRecovers(pieceId, uploadId, { orphansForSweeper: true });
	});

	describe('the process killed', () => {
		let big: Buffer;
		beforeAll(async () => {
			big = (
				await generateTextileImage({
					width: 4000,
					height: 3000,
					seed: 11,
					format: 'jpeg',
					quality: 90
				})
			).data;
		});

		/** Runs the handler in a child process and SIGKILLs it when `when` resolves. */
		const killDuring = async (pieceId: string, uploadId: string, when: () => Promise<void>) => {
			const token = (await p.supabase.auth.getSession()).data.session!.access_token;
			const child = spawn(
				process.execPath,
				['--import', 'tsx', 'tests/integration/faults/process-child.ts'],
				{
					env: {
						...process.env,
						FAULT_CHILD: JSON.stringify({
							url: fs.proxied.url,
							publishable: fs.stack.keys.publishable,
							secret: fs.stack.keys.secret,
							token,
							userId: p.userId,
							uploadId,
							pieceId
						})
					},
					stdio: ['ignore', 'pipe', 'inherit']
				}
			);
			let out = '';
			child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
			const exited = new Promise<NodeJS.Signals | null>((done) =>
				child.on('exit', (_code, signal) => done(signal))
			);
			await when();
			child.kill('SIGKILL');
			expect(await exited).toBe('SIGKILL');
			// It never finished: no photo was reported.
			expect(out.trim().split('\n').length).toBeLessThanOrEqual(1);
		};

		// Processing 12 MP twice (killed, then the retry) takes a while on a shared machine.
		it(
			'while decoding the picture: no row, the original kept, the retry succeeds',
			{ timeout: 180_000 },
			async () => {
				const { pieceId, uploadId } = await prepare(big);
				await killDuring(pieceId, uploadId, async () => {
					await fs.http.waitFor('GET', `/storage/v1/object/originals/${p.userId}/${uploadId}`);
					// The download is answered; sharp is decoding 12 MP now (seconds of work).
					await new Promise((r) => setTimeout(r, 500));
				});
				expect(fs.http.hits.some((h) => MASTERS_WRITE.test(h.path))).toBe(false);
				await expectRecovers(pieceId, uploadId);
			}
		);

		it(
			'while writing the files: the written ones are swept, the retry succeeds',
			{ timeout: 120_000 },
			async () => {
				const { pieceId, uploadId } = await prepare();
				let second: () => void = () => {};
				const reached = new Promise<void>((r) => (second = r));
				fs.http.add({
					method: 'POST',
					path: MASTERS_WRITE,
					skip: 1,
					times: 1,
					before: () => second(),
					// Held until the process is dead, so exactly one file was written.
					action: { kind: 'delay', ms: 5_000 }
				});
				await killDuring(pieceId, uploadId, () => reached);
				fs.http.clear();
				const { orphans } = await expectConsistent(admin, p.userId, { allowOrphans: true });
				expect(orphans.length).toBeGreaterThan(0);
				await expectRecovers(pieceId, uploadId, { orphansForSweeper: true });
			}
		);
	});
});
