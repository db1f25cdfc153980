/**
 * Checklist G50: the same upload processed twice at once (a double tap, a retry racing the first
 * request) must yield exactly one photo, and no files of the loser may stay behind. The upload id
 * is the idempotency key (the original lives at `originals/<user>/<upload id>`); the endpoint
 * runs `processUpload` inside `singleFlight(user/upload)`, as done here. Without it, both runs
 * stored a photo (two rows for one file).
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, testDbKinds, type TestStack } from '../../helpers/stack.ts';
import { adminClient, JOHANNSTADT, joinAsParticipant } from '../participant/support.ts';
import { processUpload } from '../../../src/lib/server/pieces/photos.ts';
import { createDraft } from '../../../src/lib/server/pieces/drafts.ts';
import { DuplicateRequestError, singleFlight } from '../../../src/lib/server/single-flight.ts';

/** Every object name under `prefix`, folders walked. */
async function listAll(db: SupabaseClient, bucket: string, prefix: string): Promise<string[]> {
	const { data, error } = await db.storage.from(bucket).list(prefix, { limit: 1000 });
	if (error) throw error;
	const names: string[] = [];
	for (const entry of data) {
		const path = `${prefix}/${entry.name}`;
		if (entry.id === null) names.push(...(await listAll(db, bucket, path)));
		else names.push(path);
	}
	return names;
}

describe.each(testDbKinds())('double submit of one upload on %s', (kind) => {
	let stack: TestStack;
	beforeAll(async () => {
		stack = await startTestStack({ kind });
	});
	afterAll(async () => {
		await stack?.close();
	});

	it('two concurrent requests for the same upload store exactly one photo and its files', async () => {
		const admin = adminClient(stack);
		const p = await joinAsParticipant(stack, 'Doppelt');
		const pieceId = await createDraft(p.supabase, p.userId, JOHANNSTADT, 'uk');
		if (!pieceId) throw new Error('no draft');
		const uploadId = crypto.randomUUID();
		const jpeg = await sharp({
			create: { width: 900, height: 700, channels: 3, background: '#2e5a7a' }
		})
			.jpeg()
			.toBuffer();
		const uploaded = await p.supabase.storage
			.from('originals')
			.upload(`${p.userId}/${uploadId}`, jpeg, { contentType: 'image/jpeg' });
		expect(uploaded.error).toBeNull();

		// What POST /api/uploads/[id]/process does with each request; each run has its own
		// service-role client, as two app instances would.
		const run = () =>
			singleFlight(adminClient(stack), `${p.userId}/${uploadId}`, () =>
				processUpload({
					supabase: p.supabase,
					admin,
					userId: p.userId,
					uploadId,
					pieceId,
					role: 'front'
				})
			).then(
				(photo) => ({ ok: true as const, photo }),
				(error: unknown) => ({ ok: false as const, error })
			);
		const results = await Promise.all([run(), run()]);

		const { data: rows, error } = await admin
			.from('piece_photos')
			.select('id, master_path')
			.eq('piece_id', pieceId);
		expect(error).toBeNull();
		expect(rows).toHaveLength(1);
		expect(results.filter((r) => r.ok)).toHaveLength(1);
		expect(results.find((r) => !r.ok)?.error).toBeInstanceOf(DuplicateRequestError);
		// Only the winner's files exist; the original is gone.
		const files = await listAll(admin, 'masters', `${p.userId}/${pieceId}`);
		expect(files.length).toBeGreaterThan(0);
		expect(files.every((f) => f.startsWith(`${p.userId}/${pieceId}/${rows![0].id}/`))).toBe(true);
		expect(await listAll(admin, 'originals', p.userId)).toEqual([]);

		// A retry after the first finished finds the upload consumed and stores nothing.
		const late = await run();
		expect(late.ok).toBe(false);
		const after = await admin.from('piece_photos').select('id').eq('piece_id', pieceId);
		expect(after.data).toHaveLength(1);
	});
});
