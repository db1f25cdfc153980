/**
 * "Download my data" and erasure against the real stack: the export holds the caller's own data
 * and nothing of another participant; withdrawing clears the public copies; deleting a piece or
 * the account leaves no rows and no storage objects.
 */
import { unzipSync, strFromU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, testDbKinds, type TestStack } from '../../helpers/stack.ts';
import {
	deleteOwnAccount,
	deleteOwnPiece,
	listAllObjects,
	publicMediaPaths,
	removePublicMedia
} from '../../../src/lib/server/participant/deletion.ts';
import { collectExport, zipStream } from '../../../src/lib/server/participant/export.ts';
import { oggOpus } from '../../../src/lib/server/pieces/audio-fixtures.ts';
import { saveVoiceNote } from '../../../src/lib/server/pieces/voice.ts';
import { createReturnTicket } from '../../../src/lib/server/participant/tickets.ts';
import { adminClient, createPiece, joinAsParticipant } from './support.ts';

async function readZip(stream: ReadableStream<Uint8Array>): Promise<Record<string, Uint8Array>> {
	return unzipSync(new Uint8Array(await new Response(stream).arrayBuffer()));
}

describe.each(testDbKinds())('participant data on %s', (kind) => {
	let stack: TestStack;
	beforeAll(async () => {
		stack = await startTestStack({ kind });
	});
	afterAll(async () => {
		await stack?.close();
	});

	it('exports texts, photos, voice notes, consents and moderation of the caller only', async () => {
		const a = await joinAsParticipant(stack, 'Anna');
		const b = await joinAsParticipant(stack, 'Bohdan');
		const pieceA = await createPiece(stack, a.supabase, a.userId, 'Вишиванка Анни');
		const pieceB = await createPiece(stack, b.supabase, b.userId, 'Вишиванка Богдана');
		const admin = adminClient(stack);
		await saveVoiceNote(a.supabase, admin, a.userId, pieceA.pieceId, 'uk', oggOpus(4));
		await saveVoiceNote(b.supabase, admin, b.userId, pieceB.pieceId, 'uk', oggOpus(3));

		const files = await readZip(zipStream(await collectExport(a.supabase, a.userId)));
		expect(Object.keys(files).sort()).toEqual(
			[
				'consents.json',
				'moderation.json',
				'photos.json',
				`photos/${pieceA.pieceId}/${pieceA.photoId}.jpg`,
				'pieces.json',
				'profile.json',
				'voice-notes.json',
				`voice-notes/${pieceA.pieceId}.ogg`
			].sort()
		);
		expect(strFromU8(files[`voice-notes/${pieceA.pieceId}.ogg`].slice(0, 4))).toBe('OggS');
		const json = (name: string) => JSON.parse(strFromU8(files[name]));
		expect(json('profile.json').profile).toMatchObject({ id: a.userId, display_name: 'Anna' });
		const pieces = json('pieces.json');
		expect(pieces).toHaveLength(1);
		expect(pieces[0]).toMatchObject({
			id: pieceA.pieceId,
			piece_texts: [{ language: 'uk', title: 'Вишиванка Анни' }]
		});
		expect(json('consents.json')).toMatchObject([{ piece_id: pieceA.pieceId }]);
		// A real JPEG (SOI marker), the scrubbed master.
		expect([...files[`photos/${pieceA.pieceId}/${pieceA.photoId}.jpg`].slice(0, 2)]).toEqual([
			0xff, 0xd8
		]);
		const everything = Object.values(files)
			.map((bytes) => strFromU8(bytes, true))
			.join('\n');
		for (const foreign of [b.userId, pieceB.pieceId, 'Вишиванка Богдана', 'Bohdan']) {
			expect(everything).not.toContain(foreign);
		}
	});

	it('withdrawing a piece lets its public copies be removed', async () => {
		const admin = adminClient(stack);
		const p = await joinAsParticipant(stack, 'Mona');
		const piece = await createPiece(stack, p.supabase, p.userId, 'Tree');
		const paths = await publicMediaPaths(p.supabase, piece.pieceId);
		expect(paths).toEqual([piece.publicPath]);
		const { error } = await p.supabase.rpc('withdraw_piece', { p_piece_id: piece.pieceId });
		expect(error).toBeNull();
		await removePublicMedia(admin, paths);
		const folder = piece.publicPath.split('/')[0];
		expect(await listAllObjects(admin, 'public-media', folder)).toEqual([]);
	});

	it('deletes one piece with its objects, leaving the other', async () => {
		const admin = adminClient(stack);
		const p = await joinAsParticipant(stack, 'Lina');
		const gone = await createPiece(stack, p.supabase, p.userId, 'Gone');
		const kept = await createPiece(stack, p.supabase, p.userId, 'Kept');
		await p.supabase.rpc('withdraw_piece', { p_piece_id: gone.pieceId });

		await deleteOwnPiece(admin, p.supabase, p.userId, gone.pieceId);
		const { data: pieces } = await admin.from('pieces').select('id').eq('maker_id', p.userId);
		expect(pieces).toEqual([{ id: kept.pieceId }]);
		for (const table of ['piece_photos', 'piece_texts', 'consents', 'moderation_events']) {
			const { count } = await admin
				.from(table)
				.select('*', { count: 'exact', head: true })
				.eq('piece_id', gone.pieceId);
			expect(count, table).toBe(0);
		}
		expect(await listAllObjects(admin, 'masters', `${p.userId}/${gone.pieceId}`)).toEqual([]);
		expect(await listAllObjects(admin, 'public-media', gone.publicPath.split('/')[0])).toEqual([]);
		expect(await listAllObjects(admin, 'masters', `${p.userId}/${kept.pieceId}`)).toHaveLength(2);

		const other = await joinAsParticipant(stack, 'Intruder');
		await expect(deleteOwnPiece(admin, other.supabase, other.userId, kept.pieceId)).rejects.toThrow(
			'piece_not_found'
		);
		const refused = await other.supabase.rpc('delete_own_piece', { p_piece_id: kept.pieceId });
		expect(refused.error?.message).toBe('piece_not_found');
	});

	it('deletes the account: no rows, no objects, no auth user', async () => {
		const admin = adminClient(stack);
		const p = await joinAsParticipant(stack, 'Zahra');
		const piece = await createPiece(stack, p.supabase, p.userId, 'Garden');
		await createPiece(stack, p.supabase, p.userId, 'River');
		await createReturnTicket(admin, p.supabase, p.userId);
		const upload = await p.supabase.storage
			.from('originals')
			.upload(`${p.userId}/upload-1`, new Uint8Array([0xff, 0xd8, 0xff]), {
				contentType: 'image/jpeg'
			});
		expect(upload.error).toBeNull();
		expect(await listAllObjects(admin, 'masters', p.userId)).toHaveLength(4);

		await deleteOwnAccount(admin, p.supabase, p.userId);

		for (const [table, column] of [
			['profiles', 'id'],
			['pieces', 'maker_id'],
			['consents', 'granted_by'],
			['workshop_members', 'user_id'],
			['return_tickets', 'user_id']
		]) {
			const { count } = await admin
				.from(table)
				.select('*', { count: 'exact', head: true })
				.eq(column, p.userId);
			expect(count, table).toBe(0);
		}
		expect(await listAllObjects(admin, 'masters', p.userId)).toEqual([]);
		expect(await listAllObjects(admin, 'originals', p.userId)).toEqual([]);
		expect(await listAllObjects(admin, 'public-media', piece.publicPath.split('/')[0])).toEqual([]);
		const { data } = await admin.auth.admin.getUserById(p.userId);
		expect(data.user).toBeNull();
	});
});
