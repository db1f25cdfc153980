/**
 * The network dropping in the middle of the original's upload: tus-js-client, configured as the
 * upload queue configures it (src/lib/upload-queue.svelte.ts), sends the original through the HTTP
 * fault proxy, which cuts the connection partway through a PATCH. The client asks for the offset
 * and continues from it (it does not start over), the stored original is byte for byte the photo,
 * and processing it succeeds. An upload abandoned halfway leaves no object and no row.
 */
import { createHash } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';
import * as tus from 'tus-js-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testDbKinds } from '../../helpers/stack.ts';
import { adminClient, JOHANNSTADT, joinAsParticipant } from '../participant/support.ts';
import { processUpload } from '../../../src/lib/server/pieces/photos.ts';
import { createDraft } from '../../../src/lib/server/pieces/drafts.ts';
import { generateTextileImage } from '../../../src/lib/server/images/generate.ts';
import { expectConsistent, originals, startFaultStack, type FaultStack } from './support.ts';

const PATCH_PATH = /^\/storage\/v1\/upload\/resumable\//;
const CHUNK = 512 * 1024;
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe.each(testDbKinds())('uploads over a dropping network on %s', (kind) => {
	let fs: FaultStack;
	let admin: SupabaseClient;
	let p: { supabase: SupabaseClient; userId: string };
	let photo: Buffer;
	let token: string;

	beforeAll(async () => {
		fs = await startFaultStack(kind);
		admin = adminClient(fs.stack);
		p = await joinAsParticipant(fs.proxied, 'Mariam');
		token = (await p.supabase.auth.getSession()).data.session!.access_token;
		photo = (
			await generateTextileImage({
				width: 2400,
				height: 1800,
				seed: 3,
				format: 'jpeg',
				quality: 95
			})
		).data;
		expect(photo.length).toBeGreaterThan(3 * CHUNK);
	});
	afterEach(() => {
		fs.http.clear();
		fs.http.hits.length = 0;
	});
	afterAll(async () => {
		await fs?.close();
	});

	/** One upload as the browser's queue does it, through the proxy; resolves at success or error. */
	const upload = (uploadId: string, retryDelays: number[]) =>
		new Promise<Error | null>((done) => {
			const tusUpload = new tus.Upload(photo, {
				endpoint: `${fs.proxied.url}/storage/v1/upload/resumable`,
				retryDelays,
				chunkSize: CHUNK,
				headers: { authorization: `Bearer ${token}`, 'x-upsert': 'true' },
				uploadDataDuringCreation: true,
				storeFingerprintForResuming: false,
				metadata: {
					bucketName: 'originals',
					objectName: `${p.userId}/${uploadId}`,
					contentType: 'image/jpeg',
					cacheControl: '3600'
				},
				onError: (error) => done(error),
				onSuccess: () => done(null)
			});
			tusUpload.start();
		});

	it('resumes from the offset after the connection drops, and the photo is stored', async () => {
		const pieceId = (await createDraft(p.supabase, p.userId, JOHANNSTADT, 'ar'))!;
		const uploadId = crypto.randomUUID();
		// The second chunk's connection drops halfway through.
		fs.http.add({
			method: 'PATCH',
			path: PATCH_PATH,
			times: 1,
			action: { kind: 'cut-request', afterBytes: CHUNK / 2 }
		});
		expect(await upload(uploadId, [0, 200, 500, 1000])).toBeNull();

		const cut = fs.http.hits.findIndex((h) => h.fault === 'cut-request');
		expect(cut).toBeGreaterThanOrEqual(0);
		const after = fs.http.hits.slice(cut + 1);
		// tus asked where to continue, then went on from there instead of starting over.
		expect(after.some((h) => h.method === 'HEAD')).toBe(true);
		const resumed = after.find((h) => h.method === 'PATCH');
		expect(Number(resumed?.headers['upload-offset'])).toBeGreaterThan(0);

		const { data, error } = await admin.storage
			.from('originals')
			.download(`${p.userId}/${uploadId}`);
		expect(error).toBeNull();
		expect(sha(Buffer.from(await data!.arrayBuffer()))).toBe(sha(photo));

		const stored = await processUpload({
			supabase: p.supabase,
			admin: adminClient(fs.proxied),
			userId: p.userId,
			uploadId,
			pieceId,
			role: 'front'
		});
		expect(stored.width).toBe(2400);
		expect(await originals(admin, p.userId)).not.toContain(uploadId);
		await expectConsistent(admin, p.userId);
	});

	it('an upload abandoned halfway leaves no object and no row', async () => {
		const pieceId = (await createDraft(p.supabase, p.userId, JOHANNSTADT, 'ar'))!;
		const uploadId = crypto.randomUUID();
		fs.http.add({
			method: 'PATCH',
			path: PATCH_PATH,
			action: { kind: 'cut-request', afterBytes: CHUNK / 2 }
		});
		// No retries: the phone left and never came back.
		expect(await upload(uploadId, [])).toBeInstanceOf(Error);
		expect(await originals(admin, p.userId)).not.toContain(uploadId);
		const { data } = await admin.from('piece_photos').select('id').eq('piece_id', pieceId);
		expect(data).toEqual([]);
		await expectConsistent(admin, p.userId);
	});
});
