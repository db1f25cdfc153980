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
import { createDraft, ensureDraft } from '../../../src/lib/server/pieces/drafts.ts';
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

		// A retry after the first finished (its answer was lost) gets the same photo, stores nothing.
		const late = await run();
		expect(late.ok && late.photo.id).toBe(rows![0].id);
		// The phone sent the original again before asking: still the one photo, the copy removed.
		const again = await p.supabase.storage
			.from('originals')
			.upload(`${p.userId}/${uploadId}`, jpeg, { contentType: 'image/jpeg', upsert: true });
		expect(again.error).toBeNull();
		const resent = await run();
		expect(resent.ok && resent.photo.id).toBe(rows![0].id);
		const after = await admin.from('piece_photos').select('id').eq('piece_id', pieceId);
		expect(after.data).toHaveLength(1);
		expect(await listAll(admin, 'originals', p.userId)).toEqual([]);
	});

	it('a piece sent twice with the id the phone gave it is one piece', async () => {
		const admin = adminClient(stack);
		const p = await joinAsParticipant(stack, 'Zweimal');
		const id = crypto.randomUUID();
		const sends = await Promise.all([
			ensureDraft(p.supabase, p.userId, JOHANNSTADT, 'de', id),
			ensureDraft(p.supabase, p.userId, JOHANNSTADT, 'de', id)
		]);
		const late = await ensureDraft(p.supabase, p.userId, JOHANNSTADT, 'de', id);
		expect(sends.map((s) => s?.id)).toEqual([id, id]);
		expect(sends.filter((s) => s?.created)).toHaveLength(1);
		expect(late).toEqual({ id, created: false });
		const { data } = await admin.from('pieces').select('id').eq('maker_id', p.userId);
		expect(data).toEqual([{ id }]);

		// Someone else's id is refused, not taken over.
		const other = await joinAsParticipant(stack, 'Andere');
		await expect(ensureDraft(other.supabase, other.userId, JOHANNSTADT, 'de', id)).rejects.toThrow(
			'piece_not_found'
		);
		const owner = await admin.from('pieces').select('maker_id').eq('id', id).single();
		expect(owner.data?.maker_id).toBe(p.userId);
	});
});
