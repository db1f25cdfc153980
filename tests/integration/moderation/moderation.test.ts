/**
 * Moderation against the real stack: publishing copies derivatives to public-media under a fresh
 * path, unpublishing and rejection remove them, of two concurrent actions exactly one wins, and
 * authorization holds straight at the REST API and the rpc function.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupabaseClient } from '@supabase/supabase-js';
import { startTestStack, testDbKinds, type TestStack } from '../../helpers/stack.ts';
import { moderate } from '../../../src/lib/server/moderation/actions.ts';
import {
	adminClient,
	createPiece,
	joinAsParticipant,
	signInWithPassword
} from '../participant/support.ts';

const MODERATOR = ['moderator@demo.connecting-thread.test', 'demo-moderator-2026'] as const;
const FACILITATOR_NEUSTADT = [
	'facilitator-neustadt@demo.connecting-thread.test',
	'demo-facilitator-2026'
] as const;

describe.each(testDbKinds())('moderation on %s', (kind) => {
	let stack: TestStack;
	let admin: SupabaseClient;
	beforeAll(async () => {
		stack = await startTestStack({ kind });
		admin = adminClient(stack);
	});
	afterAll(async () => {
		await stack?.close();
	});

	/** A submitted piece whose photo has no public copy yet. */
	async function submittedPiece(title: string) {
		const maker = await joinAsParticipant(stack, 'Olena');
		const piece = await createPiece(stack, maker.supabase, maker.userId, title);
		await admin.storage.from('public-media').remove([piece.publicPath]);
		await admin.from('piece_photos').update({ public_variants: null }).eq('id', piece.photoId);
		const submitted = await maker.supabase.rpc('submit_piece', { p_piece_id: piece.pieceId });
		if (submitted.error) throw submitted.error;
		return { maker, piece };
	}

	const publicUrl = (path: string) => `${stack.url}/storage/v1/object/public/public-media/${path}`;

	async function publicPaths(pieceId: string): Promise<string[]> {
		const { data } = await admin
			.from('piece_photos')
			.select('public_variants')
			.eq('piece_id', pieceId);
		return (data ?? []).flatMap((row) =>
			Object.values((row.public_variants ?? {}) as Record<string, Record<string, string>>).flatMap(
				(w) => Object.values(w)
			)
		);
	}

	it('publish makes the derivatives public under an unguessable path; unpublish removes them', async () => {
		const { piece } = await submittedPiece('Вишиванка');
		const moderator = await signInWithPassword(stack, ...MODERATOR);

		const result = await moderate(moderator, admin, {
			pieceId: piece.pieceId,
			action: 'publish',
			expectedStatus: 'submitted',
			reasonCodes: []
		});
		expect(result).toEqual({ ok: true, status: 'published' });
		const paths = await publicPaths(piece.pieceId);
		expect(paths).toHaveLength(1);
		expect(paths[0]).toMatch(new RegExp(`^[0-9a-f]{32}/${piece.photoId}/w480\\.jpg$`));
		const served = await fetch(publicUrl(paths[0]));
		expect(served.status).toBe(200);
		expect(served.headers.get('content-type')).toContain('image/jpeg');

		const unpublished = await moderate(moderator, admin, {
			pieceId: piece.pieceId,
			action: 'unpublish',
			expectedStatus: 'published',
			reasonCodes: ['consent_unclear'],
			note: 'Einwilligung vor Ort zurückgezogen',
			noteLanguage: 'de'
		});
		expect(unpublished).toEqual({ ok: true, status: 'changes_requested' });
		expect(await publicPaths(piece.pieceId)).toEqual([]);
		expect((await fetch(publicUrl(paths[0]))).status).toBe(400);

		const { data: events } = await moderator
			.from('moderation_events')
			.select('action, from_status, to_status, reason_codes, note, note_language')
			.eq('piece_id', piece.pieceId)
			.order('id');
		expect(events?.map((e) => e.action)).toEqual(['submit', 'publish', 'unpublish']);
		expect(events?.[2]).toMatchObject({
			reason_codes: ['consent_unclear'],
			note_language: 'de',
			to_status: 'changes_requested'
		});
	});

	it('of a concurrent publish and reject exactly one wins, the other learns who and what', async () => {
		const { piece } = await submittedPiece('Рушник');
		const first = await signInWithPassword(stack, ...MODERATOR);
		const second = await signInWithPassword(
			stack,
			'admin@demo.connecting-thread.test',
			'demo-admin-2026'
		);
		const results = await Promise.all([
			moderate(first, admin, {
				pieceId: piece.pieceId,
				action: 'publish',
				expectedStatus: 'submitted',
				reasonCodes: []
			}),
			moderate(second, admin, {
				pieceId: piece.pieceId,
				action: 'reject',
				expectedStatus: 'submitted',
				reasonCodes: ['off_topic']
			})
		]);
		const winners = results.filter((r) => r.ok);
		const losers = results.filter((r) => !r.ok);
		expect(winners).toHaveLength(1);
		expect(losers).toHaveLength(1);
		const winnerStatus = winners[0].ok ? winners[0].status : '';
		expect(losers[0]).toMatchObject({
			ok: false,
			code: 'already_moderated',
			current: { status: winnerStatus, latest: { toStatus: winnerStatus } }
		});
		const { data: row } = await admin
			.from('pieces')
			.select('status')
			.eq('id', piece.pieceId)
			.single();
		expect(row?.status).toBe(winnerStatus);
		// No public copy outlives a lost race or a rejection.
		const { data: objects } = await admin.storage.from('public-media').list('', { limit: 1000 });
		const leftovers = [];
		for (const folder of objects ?? []) {
			const { data: inside } = await admin.storage.from('public-media').list(folder.name);
			if (inside?.some((entry) => entry.name === piece.photoId)) leftovers.push(folder.name);
		}
		expect(leftovers).toHaveLength(winnerStatus === 'published' ? 1 : 0);
	});

	it('refuses participants, other workshops, own pieces and revoked roles; the log is append-only', async () => {
		const { maker, piece } = await submittedPiece('Квітка');
		const action = {
			p_piece_id: piece.pieceId,
			p_action: 'publish',
			p_expected_status: 'submitted',
			p_reason_codes: []
		};

		const participant = await joinAsParticipant(stack, 'Ahmad');
		expect((await participant.supabase.rpc('moderate_piece', action)).error?.message).toBe(
			'not_workshop_staff'
		);
		expect((await maker.supabase.rpc('moderate_piece', action)).error?.message).toBe(
			'not_workshop_staff'
		);
		// Straight at the REST API: status is not writable by anyone through the tables.
		const direct = await participant.supabase
			.from('pieces')
			.update({ status: 'published' })
			.eq('id', piece.pieceId)
			.select();
		expect(direct.data ?? []).toEqual([]);

		const neustadt = await signInWithPassword(stack, ...FACILITATOR_NEUSTADT);
		expect((await neustadt.rpc('moderate_piece', action)).error?.message).toBe(
			'not_workshop_staff'
		);

		// A moderator whose role is revoked is refused on the very next call.
		const email = `mod-${crypto.randomUUID()}@example.test`;
		const created = await admin.auth.admin.createUser({
			email,
			password: 'temporary-pass-2026',
			email_confirm: true
		});
		const modId = created.data.user!.id;
		await admin.from('staff_roles').insert({ user_id: modId, role: 'moderator' });
		const revoked = await signInWithPassword(stack, email, 'temporary-pass-2026');
		const visible = await revoked.from('pieces').select('id').eq('id', piece.pieceId);
		expect(visible.data).toEqual([{ id: piece.pieceId }]);
		await admin.from('staff_roles').delete().eq('user_id', modId);
		expect((await revoked.rpc('moderate_piece', action)).error?.message).toBe('not_workshop_staff');

		// Nobody publishes their own piece, not even a moderator.
		const moderator = await signInWithPassword(stack, ...MODERATOR);
		const { data: modUser } = await moderator.auth.getUser();
		await admin.from('workshop_members').insert({
			workshop_id: '10000000-0000-4000-8000-000000000001',
			user_id: modUser.user!.id
		});
		const own = await createPiece(stack, moderator, modUser.user!.id, 'Eigenes');
		await moderator.rpc('submit_piece', { p_piece_id: own.pieceId });
		expect(
			(await moderator.rpc('moderate_piece', { ...action, p_piece_id: own.pieceId })).error?.message
		).toBe('own_piece');

		// The audit log cannot be edited, not even by a moderator.
		const events = await moderator
			.from('moderation_events')
			.update({ note: 'rewritten' })
			.eq('piece_id', piece.pieceId)
			.select();
		expect(events.error ?? events.data).toBeTruthy();
		expect(events.data ?? []).toEqual([]);
		const deleted = await moderator
			.from('moderation_events')
			.delete()
			.eq('piece_id', piece.pieceId)
			.select();
		expect(deleted.data ?? []).toEqual([]);
		const { count } = await admin
			.from('moderation_events')
			.select('id', { count: 'exact', head: true })
			.eq('piece_id', piece.pieceId);
		expect(count).toBe(1);
	});
});
