/**
 * The retention sweeper against the real stack: abandoned originals, unreferenced masters and
 * public copies, and stale drafts go after their retention period; everything younger, every
 * referenced file and every piece that is not a draft stays. Ages are set by moving timestamps back
 * in the database (as the superuser, triggers off), never by waiting.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, testDbKinds, type TestStack } from '../../helpers/stack.ts';
import { adminClient, JOHANNSTADT, joinAsParticipant } from '../participant/support.ts';
import { processUpload } from '../../../src/lib/server/pieces/photos.ts';
import { createDraft } from '../../../src/lib/server/pieces/drafts.ts';
import { listAllObjects } from '../../../src/lib/server/participant/deletion.ts';
import {
	DRAFT_RETENTION_MS,
	UPLOAD_RETENTION_MS,
	startSweeper,
	sweep
} from '../../../src/lib/server/sweeper.ts';

const jpeg = () =>
	sharp({ create: { width: 900, height: 700, channels: 3, background: '#2e5a7a' } })
		.jpeg()
		.toBuffer();

/** Moves an object's creation back by `days`. */
async function ageObject(stack: TestStack, bucket: string, name: string, days: number) {
	const r = await stack.db.query(
		`update storage.objects set created_at = now() - make_interval(days => $3)
		 where bucket_id = $1 and name = $2`,
		[bucket, name, days]
	);
	expect(r.affectedRows).toBe(1);
}

/** Moves every timestamp of a piece and its texts, photos and consents back by `days`. */
async function agePiece(stack: TestStack, pieceId: string, days: number) {
	await stack.db.transaction(async (tx) => {
		// Triggers stamp updated_at on every update; off for this transaction only.
		await tx.query(`set local session_replication_role = replica`);
		const back = `now() - make_interval(days => ${days})`;
		await tx.query(
			`update public.pieces set created_at = ${back}, updated_at = ${back} where id = $1`,
			[pieceId]
		);
		for (const table of ['piece_photos', 'piece_texts']) {
			await tx.query(`update public.${table} set updated_at = ${back} where piece_id = $1`, [
				pieceId
			]);
		}
		await tx.query(`update public.consents set granted_at = ${back} where piece_id = $1`, [
			pieceId
		]);
	});
}

describe.each(testDbKinds())('the sweeper on %s', (kind) => {
	let stack: TestStack;
	let admin: SupabaseClient;
	let p: { supabase: SupabaseClient; userId: string };
	const logs: string[] = [];
	const log = (message: string) => logs.push(message);

	beforeAll(async () => {
		stack = await startTestStack({ kind });
		admin = adminClient(stack);
		p = await joinAsParticipant(stack, 'Halyna');
	});
	afterAll(async () => {
		await stack?.close();
	});

	const uploadOriginal = async () => {
		const uploadId = crypto.randomUUID();
		const { error } = await p.supabase.storage
			.from('originals')
			.upload(`${p.userId}/${uploadId}`, await jpeg(), { contentType: 'image/jpeg' });
		if (error) throw error;
		return uploadId;
	};
	const draftWithPhoto = async () => {
		const pieceId = (await createDraft(p.supabase, p.userId, JOHANNSTADT, 'uk'))!;
		const photo = await processUpload({
			supabase: p.supabase,
			admin,
			userId: p.userId,
			uploadId: await uploadOriginal(),
			pieceId,
			role: 'front'
		});
		return { pieceId, photoId: photo.id };
	};
	const pieceExists = async (pieceId: string) => {
		const { data } = await admin.from('pieces').select('id').eq('id', pieceId);
		return (data ?? []).length === 1;
	};

	it('removes originals left past 24 hours and keeps younger ones', async () => {
		const old = await uploadOriginal();
		const young = await uploadOriginal();
		await ageObject(stack, 'originals', `${p.userId}/${old}`, 2);
		logs.length = 0;
		const report = await sweep({ admin, log });
		expect(report.errors).toEqual([]);
		expect(report.objects).toContain(`originals/${p.userId}/${old}`);
		expect(report.objects).not.toContain(`originals/${p.userId}/${young}`);
		const left = await listAllObjects(admin, 'originals', p.userId);
		expect(left).not.toContain(`${p.userId}/${old}`);
		expect(left).toContain(`${p.userId}/${young}`);
		expect(logs.join('\n')).toContain(`originals/${p.userId}/${old}`);
	});

	it('removes files no photo row names, and never a referenced one however old', async () => {
		const { pieceId, photoId } = await draftWithPhoto();
		const referenced = await listAllObjects(admin, 'masters', `${p.userId}/${pieceId}/${photoId}`);
		expect(referenced.length).toBeGreaterThan(2);
		const stray = `${p.userId}/${pieceId}/${crypto.randomUUID()}/master.jpg`;
		const publicStray = `${crypto.randomUUID().replaceAll('-', '')}/${photoId}/w320.jpg`;
		const youngStray = `${p.userId}/${pieceId}/${crypto.randomUUID()}/master.jpg`;
		for (const [bucket, path] of [
			['masters', stray],
			['public-media', publicStray],
			['masters', youngStray]
		] as const) {
			const up = await admin.storage
				.from(bucket)
				.upload(path, await jpeg(), { contentType: 'image/jpeg' });
			expect(up.error).toBeNull();
		}
		for (const path of referenced) await ageObject(stack, 'masters', path, 3);
		await ageObject(stack, 'masters', stray, 3);
		await ageObject(stack, 'public-media', publicStray, 3);

		const report = await sweep({ admin, log });
		expect(report.errors).toEqual([]);
		expect(report.objects).toEqual(
			expect.arrayContaining([`masters/${stray}`, `public-media/${publicStray}`])
		);
		const masters = await listAllObjects(admin, 'masters', `${p.userId}/${pieceId}`);
		expect(masters).not.toContain(stray);
		expect(masters).toContain(youngStray);
		for (const path of referenced) expect(masters).toContain(path);
		expect(await listAllObjects(admin, 'public-media', publicStray.split('/')[0])).toEqual([]);
		expect(await pieceExists(pieceId)).toBe(true);
	});

	it('deletes drafts untouched for 30 days with their files, and nothing else', async () => {
		const stale = await draftWithPhoto();
		const fresh = await draftWithPhoto();
		const emptyStale = (await createDraft(p.supabase, p.userId, JOHANNSTADT, 'de'))!;
		const almost = (await createDraft(p.supabase, p.userId, JOHANNSTADT, 'de'))!;
		await agePiece(stack, stale.pieceId, 31);
		await agePiece(stack, emptyStale, 45);
		await agePiece(stack, almost, 29);
		// A submitted piece of the same age is not a draft: it waits for review whatever its age.
		const submitted = await draftWithPhoto();
		await stack.db.query(`update public.pieces set status = 'submitted' where id = $1`, [
			submitted.pieceId
		]);
		await agePiece(stack, submitted.pieceId, 90);
		const staleFiles = await listAllObjects(admin, 'masters', `${p.userId}/${stale.pieceId}`);
		expect(staleFiles.length).toBeGreaterThan(2);

		logs.length = 0;
		const report = await sweep({ admin, log });
		expect(report.errors).toEqual([]);
		expect(report.drafts.sort()).toEqual([stale.pieceId, emptyStale].sort());
		for (const path of staleFiles) expect(report.objects).toContain(`masters/${path}`);
		expect(await pieceExists(stale.pieceId)).toBe(false);
		expect(await pieceExists(emptyStale)).toBe(false);
		expect(await listAllObjects(admin, 'masters', `${p.userId}/${stale.pieceId}`)).toEqual([]);
		for (const kept of [fresh.pieceId, almost, submitted.pieceId]) {
			expect(await pieceExists(kept)).toBe(true);
		}
		expect(
			(await listAllObjects(admin, 'masters', `${p.userId}/${fresh.pieceId}`)).length
		).toBeGreaterThan(2);
		expect(logs.join('\n')).toContain(`deleted 2 stale draft(s)`);

		// Nothing left to do: a second run removes nothing.
		const again = await sweep({ admin, log });
		expect(again).toEqual({ drafts: [], objects: [], errors: [] });
	});

	it('runs at start-up and on demand, reporting failures instead of throwing', async () => {
		const old = await uploadOriginal();
		await ageObject(stack, 'originals', `${p.userId}/${old}`, 2);
		const sweeper = startSweeper({ admin: () => admin, log, intervalMs: 3_600_000 });
		try {
			const first = await sweeper.runNow();
			const second = await sweeper.runNow();
			const removed = [...first.objects, ...second.objects];
			expect(removed).toContain(`originals/${p.userId}/${old}`);
		} finally {
			sweeper.stop();
		}
		expect(UPLOAD_RETENTION_MS).toBe(24 * 3600 * 1000);
		expect(DRAFT_RETENTION_MS).toBe(30 * 24 * 3600 * 1000);

		const broken = startSweeper({
			admin: () => {
				throw new Error('SUPABASE_SECRET_KEY missing');
			},
			log
		});
		try {
			const report = await broken.runNow();
			expect(report.errors).toEqual(['SUPABASE_SECRET_KEY missing']);
		} finally {
			broken.stop();
		}
	});
});
