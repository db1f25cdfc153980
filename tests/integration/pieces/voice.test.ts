/**
 * Voice notes against the real stack: a checked recording is stored privately (the maker can
 * listen, the public cannot), a refused one leaves no row and no object, replacing keeps exactly
 * one object, publishing copies it to public-media, withdrawing removes the copy, and deleting the
 * piece removes the recording.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupabaseClient } from '@supabase/supabase-js';
import { startTestStack, testDbKinds, type TestStack } from '../../helpers/stack.ts';
import { moderate } from '../../../src/lib/server/moderation/actions.ts';
import { deleteOwnPiece, publicMediaPaths } from '../../../src/lib/server/participant/deletion.ts';
import { oggOpus, webmOpus } from '../../../src/lib/server/pieces/audio-fixtures.ts';
import {
	deleteVoiceNote,
	publicVoiceNote,
	saveVoiceNote,
	voiceNoteForReader
} from '../../../src/lib/server/pieces/voice.ts';
import {
	adminClient,
	client,
	createPiece,
	joinAsParticipant,
	signInWithPassword
} from '../participant/support.ts';

const MODERATOR = ['moderator@demo.connecting-thread.test', 'demo-moderator-2026'] as const;

describe.each(testDbKinds())('voice notes on %s', (kind) => {
	let stack: TestStack;
	let admin: SupabaseClient;
	beforeAll(async () => {
		stack = await startTestStack({ kind });
		admin = adminClient(stack);
	});
	afterAll(async () => {
		await stack?.close();
	});

	const objects = async (folder: string) =>
		(await admin.storage.from('voice-notes').list(folder)).data?.map((o) => o.name) ?? [];

	/** A draft with photo, title and consent whose photo is not public yet. */
	async function draft(name: string) {
		const maker = await joinAsParticipant(stack, name);
		const piece = await createPiece(stack, maker.supabase, maker.userId, 'Голос');
		await admin.storage.from('public-media').remove([piece.publicPath]);
		await admin.from('piece_photos').update({ public_variants: null }).eq('id', piece.photoId);
		return { ...maker, pieceId: piece.pieceId };
	}

	it('stores a checked recording privately and replaces it with exactly one object', async () => {
		const p = await draft('Olena');
		const folder = `${p.userId}/${p.pieceId}`;
		expect(await saveVoiceNote(p.supabase, admin, p.userId, p.pieceId, 'uk', oggOpus(4))).toEqual({
			durationMs: 4000,
			mimeType: 'audio/ogg'
		});
		const mine = await voiceNoteForReader(p.supabase, p.pieceId);
		expect(mine).toMatchObject({ language: 'uk', mimeType: 'audio/ogg', durationMs: 4000 });
		const heard = await fetch(mine!.url);
		expect(heard.status).toBe(200);
		expect(
			Buffer.from(await heard.arrayBuffer())
				.subarray(0, 4)
				.toString()
		).toBe('OggS');
		// Not public, and nobody else reads it.
		expect(await publicVoiceNote(client(stack), p.pieceId)).toBeNull();
		const other = await joinAsParticipant(stack, 'Stranger');
		expect(await voiceNoteForReader(other.supabase, p.pieceId)).toBeNull();
		const path = `${folder}/${(await objects(folder))[0]}`;
		const direct = await other.supabase.storage.from('voice-notes').download(path);
		expect(direct.error).not.toBeNull();
		// Participants cannot write the bucket or the table themselves.
		const forged = await p.supabase.storage
			.from('voice-notes')
			.upload(`${folder}/forged.ogg`, oggOpus(1), { contentType: 'audio/ogg' });
		expect(forged.error).not.toBeNull();
		const row = await p.supabase
			.from('piece_voice_notes')
			.update({ public_path: 'x/y.ogg' })
			.eq('piece_id', p.pieceId)
			.select();
		expect(row.data ?? []).toEqual([]);

		await saveVoiceNote(p.supabase, admin, p.userId, p.pieceId, 'de', webmOpus(3));
		expect(await objects(folder)).toHaveLength(1);
		expect(await voiceNoteForReader(p.supabase, p.pieceId)).toMatchObject({
			language: 'de',
			mimeType: 'audio/webm'
		});
		await deleteVoiceNote(p.supabase, admin, p.userId, p.pieceId);
		expect(await objects(folder)).toEqual([]);
		expect(await voiceNoteForReader(p.supabase, p.pieceId)).toBeNull();
	});

	it.each([
		['a recording over three minutes', oggOpus(200), 'uk', 'piece_voice_too_long'],
		[
			'a file that is not audio',
			new TextEncoder().encode('<?php echo 1; ?>'),
			'uk',
			'piece_voice_unsupported'
		],
		['an unknown language', oggOpus(3), 'xx-evil', 'piece_voice_language_invalid']
	])('refuses %s without leaving a row or an object', async (_name, bytes, language, code) => {
		const p = await draft('Rasha');
		await expect(
			saveVoiceNote(p.supabase, admin, p.userId, p.pieceId, language, bytes)
		).rejects.toMatchObject({ code });
		expect(await objects(`${p.userId}/${p.pieceId}`)).toEqual([]);
		const { data } = await admin
			.from('piece_voice_notes')
			.select('piece_id')
			.eq('piece_id', p.pieceId);
		expect(data).toEqual([]);
	});

	it('refuses someone else’s piece', async () => {
		const p = await draft('Maryam');
		const other = await joinAsParticipant(stack, 'Other');
		await expect(
			saveVoiceNote(other.supabase, admin, other.userId, p.pieceId, 'fa', oggOpus(3))
		).rejects.toMatchObject({ code: 'piece_not_found' });
		expect(await objects(`${other.userId}/${p.pieceId}`)).toEqual([]);
	});

	it('goes public on publish, and the copy goes on withdrawal and deletion', async () => {
		const p = await draft('Zahra');
		await saveVoiceNote(p.supabase, admin, p.userId, p.pieceId, 'fa', oggOpus(5));
		const submitted = await p.supabase.rpc('submit_piece', { p_piece_id: p.pieceId });
		expect(submitted.error).toBeNull();
		const moderator = await signInWithPassword(stack, ...MODERATOR);
		const published = await moderate(moderator, admin, {
			pieceId: p.pieceId,
			action: 'publish',
			expectedStatus: 'submitted',
			reasonCodes: []
		});
		expect(published).toEqual({ ok: true, status: 'published' });
		const visitor = client(stack);
		const shown = await publicVoiceNote(visitor, p.pieceId);
		expect(shown).toMatchObject({ language: 'fa', mimeType: 'audio/ogg' });
		const played = await fetch(shown!.url);
		expect(played.status).toBe(200);
		await played.arrayBuffer();

		const paths = await publicMediaPaths(p.supabase, p.pieceId);
		expect(paths.some((path) => path.includes('/voice/'))).toBe(true);
		const withdrawn = await p.supabase.rpc('withdraw_piece', { p_piece_id: p.pieceId });
		expect(withdrawn.error).toBeNull();
		await admin.storage.from('public-media').remove(paths);
		expect(await publicVoiceNote(visitor, p.pieceId)).toBeNull();
		expect((await fetch(shown!.url)).status).toBe(400);

		await deleteOwnPiece(admin, p.supabase, p.userId, p.pieceId);
		expect(await objects(`${p.userId}/${p.pieceId}`)).toEqual([]);
	});
});
