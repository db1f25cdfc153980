/**
 * Staff administration, text corrections, notifications and digests against the real stack: the
 * invitation goes through generate_link and the app's mailer into the stack's outbox and signs
 * the invitee in; role changes are admin-only, checked and audited; a revoked moderator is refused
 * on the next call; corrections are attributed events the maker can read; participants get their
 * decision mail in their language; the digest reaches opted-in staff once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupabaseClient } from '@supabase/supabase-js';
import { startTestStack, testDbKinds, type TestStack } from '../../helpers/stack.ts';
import { createMailer, type Mailer } from '../../../src/lib/server/mail/mailer.ts';
import { notifyMaker, sendSubmissionDigests } from '../../../src/lib/server/mail/notify.ts';
import {
	inviteStaff,
	listStaff,
	setStaffAccess
} from '../../../src/lib/server/moderation/staff.ts';
import { correctPieceText } from '../../../src/lib/server/moderation/edit.ts';
import {
	adminClient,
	client,
	createPiece,
	DEMO_JOIN_CODE,
	joinAsParticipant,
	signInWithPassword
} from '../participant/support.ts';

const ADMIN = ['admin@demo.connecting-thread.test', 'demo-admin-2026'] as const;
const MODERATOR = ['moderator@demo.connecting-thread.test', 'demo-moderator-2026'] as const;
const JOHANNSTADT = '10000000-0000-4000-8000-000000000001';

interface OutboxMail {
	to: string;
	subject: string;
	type: string;
	text: string;
}

describe.each(testDbKinds())('staff administration on %s', (kind) => {
	let stack: TestStack;
	let admin: SupabaseClient;
	let mailer: Mailer;
	beforeAll(async () => {
		stack = await startTestStack({ kind });
		admin = adminClient(stack);
		mailer = createMailer({ supabaseUrl: stack.url, secretKey: stack.keys.secret });
	});
	afterAll(async () => {
		await stack?.close();
	});

	async function outbox(to: string): Promise<OutboxMail[]> {
		const response = await fetch(`${stack.url}/auth/v1/outbox.json?to=${encodeURIComponent(to)}`);
		return ((await response.json()) as { messages: OutboxMail[] }).messages;
	}

	async function userId(supabase: SupabaseClient): Promise<string> {
		const { data } = await supabase.auth.getUser();
		return data.user!.id;
	}

	/** A participant with a real address, in Ukrainian, member of the demo workshop. */
	async function emailParticipant() {
		const email = `maker-${crypto.randomUUID()}@example.test`;
		await admin.auth.admin.createUser({ email, password: 'maker-pass-2026', email_confirm: true });
		const supabase = await signInWithPassword(stack, email, 'maker-pass-2026');
		const joined = await supabase.rpc('join_workshop', {
			p_code: DEMO_JOIN_CODE,
			p_display_name: 'Oksana',
			p_ui_language: 'uk',
			p_age_bracket: '16_plus'
		});
		if (joined.error) throw joined.error;
		return { email, supabase, userId: await userId(supabase) };
	}

	async function submitted(supabase: SupabaseClient, id: string, title: string) {
		const piece = await createPiece(stack, supabase, id, title);
		const result = await supabase.rpc('submit_piece', { p_piece_id: piece.pieceId });
		if (result.error) throw result.error;
		return piece;
	}

	it('the outbox takes app mails only with the secret key', async () => {
		const mail = { to: 'someone@example.test', subject: 'Hallo', text: 'Text' };
		const post = (key?: string) =>
			fetch(`${stack.url}/auth/v1/outbox`, {
				method: 'POST',
				headers: {
					'content-type': 'application/json',
					...(key ? { apikey: key, authorization: `Bearer ${key}` } : {})
				},
				body: JSON.stringify(mail)
			});
		expect((await post()).status).toBeGreaterThanOrEqual(401);
		expect((await post(stack.keys.publishable)).status).toBe(403);
		expect(await outbox(mail.to)).toEqual([]);
		const ok = await post(stack.keys.secret);
		expect(ok.status).toBe(200);
		expect(await outbox(mail.to)).toMatchObject([
			{ to: mail.to, subject: 'Hallo', text: 'Text', type: 'notification' }
		]);
	});

	it('an admin invites a facilitator by mail; the link signs them in; each change is audited', async () => {
		const adminDb = await signInWithPassword(stack, ...ADMIN);
		const email = `facilitator-${crypto.randomUUID()}@example.test`;
		const result = await inviteStaff(adminDb, admin, mailer, {
			email,
			kind: 'facilitator',
			workshopIds: [JOHANNSTADT],
			locale: 'uk',
			inviterName: 'Anna',
			siteUrl: 'http://app.test'
		});
		expect(result).toEqual({ ok: true });
		const [mail] = await outbox(email);
		expect(mail.subject).toBe('Запрошення до команди connecting-thread');
		const link = new URL(/http:\/\/app\.test\/uk\/auth\/confirm\S+/.exec(mail.text)![0]);
		expect(link.searchParams.get('next')).toBe('/staff/welcome');

		// What /auth/confirm does with the link, then the welcome page's password.
		const invitee = client(stack);
		const verified = await invitee.auth.verifyOtp({
			token_hash: link.searchParams.get('token_hash')!,
			type: 'invite'
		});
		expect(verified.error).toBeNull();
		expect((await invitee.auth.updateUser({ password: 'facilitator-2026' })).error).toBeNull();
		const signedIn = await signInWithPassword(stack, email, 'facilitator-2026');
		const { data: facilitated } = await signedIn
			.from('workshop_facilitators')
			.select('workshop_id')
			.eq('user_id', await userId(signedIn));
		expect(facilitated).toEqual([{ workshop_id: JOHANNSTADT }]);

		const staff = await listStaff(adminDb);
		const row = staff.find((s) => s.email === email);
		expect(row).toMatchObject({ roles: [], workshopIds: [JOHANNSTADT] });
		const { data: events } = await adminDb
			.from('staff_events')
			.select('action, actor_id, workshop_id')
			.eq('subject_id', row!.userId)
			.order('id');
		const adminId = await userId(adminDb);
		expect(events).toEqual([
			{ action: 'invite', actor_id: adminId, workshop_id: null },
			{ action: 'assign_workshop', actor_id: adminId, workshop_id: JOHANNSTADT }
		]);
	});

	it('only admins change roles, through the checked function; the log cannot be edited', async () => {
		const moderator = await signInWithPassword(stack, ...MODERATOR);
		const participant = await joinAsParticipant(stack, 'Ahmad');
		const adminDb = await signInWithPassword(stack, ...ADMIN);
		const args = {
			p_user_id: participant.userId,
			p_roles: ['moderator'],
			p_workshop_ids: [],
			p_invite: false
		};
		for (const caller of [moderator, participant.supabase]) {
			expect((await caller.rpc('set_staff_access', args)).error?.message).toBe('not_admin');
			expect((await caller.rpc('staff_members')).error?.message).toBe('not_admin');
			// Straight at the tables: RLS lets only admins write staff rows.
			const insert = await caller
				.from('staff_roles')
				.insert({ user_id: participant.userId, role: 'moderator', granted_by: participant.userId });
			expect(insert.error).not.toBeNull();
		}
		// Anonymous sign-ins never become staff, not even by an admin writing the table directly.
		expect((await adminDb.rpc('set_staff_access', args)).error?.message).toBe('not_staff_account');
		const direct = await adminDb.from('staff_roles').insert({
			user_id: participant.userId,
			role: 'moderator',
			granted_by: await userId(adminDb)
		});
		expect(direct.error?.message).toBe('not_staff_account');
		// An admin cannot demote themself (nobody could undo it).
		const adminId = await userId(adminDb);
		expect(await setStaffAccess(adminDb, adminId, ['moderator'], [])).toEqual({
			ok: false,
			code: 'own_admin_role'
		});
		expect((await adminDb.from('staff_roles').delete().eq('user_id', adminId)).error?.message).toBe(
			'own_admin_role'
		);

		const forged = await adminDb
			.from('staff_events')
			.insert({ subject_id: adminId, action: 'invite' });
		expect(forged.error).not.toBeNull();
		const rewritten = await adminDb
			.from('staff_events')
			.update({ action: 'invite' })
			.eq('subject_id', adminId)
			.select();
		expect(rewritten.data ?? []).toEqual([]);
		const erased = await adminDb.from('staff_events').delete().gte('id', 0).select();
		expect(erased.data ?? []).toEqual([]);
		const { count } = await admin.from('staff_events').select('id', { count: 'exact', head: true });
		expect(count).toBeGreaterThan(0);
	});

	it('a moderator revoked by an admin is refused on the very next call', async () => {
		const adminDb = await signInWithPassword(stack, ...ADMIN);
		const email = `moderator-${crypto.randomUUID()}@example.test`;
		const created = await admin.auth.admin.createUser({
			email,
			password: 'moderator-2026',
			email_confirm: true
		});
		const modId = created.data.user!.id;
		expect(await setStaffAccess(adminDb, modId, ['moderator'], [])).toEqual({ ok: true });
		const moderator = await signInWithPassword(stack, email, 'moderator-2026');
		const maker = await joinAsParticipant(stack, 'Olena');
		const first = await submitted(maker.supabase, maker.userId, 'Перша');
		const second = await submitted(maker.supabase, maker.userId, 'Друга');
		const publish = (pieceId: string) =>
			moderator.rpc('moderate_piece', {
				p_piece_id: pieceId,
				p_action: 'publish',
				p_expected_status: 'submitted',
				p_reason_codes: []
			});
		expect((await publish(first.pieceId)).error).toBeNull();
		expect(await setStaffAccess(adminDb, modId, [], [])).toEqual({ ok: true });
		expect((await publish(second.pieceId)).error?.message).toBe('not_workshop_staff');
		const { data: events } = await adminDb
			.from('staff_events')
			.select('action, role')
			.eq('subject_id', modId)
			.order('id');
		expect(events).toEqual([
			{ action: 'grant_role', role: 'moderator' },
			{ action: 'revoke_role', role: 'moderator' }
		]);
	});

	it('staff correct a text; the maker reads who changed what; others are refused', async () => {
		const maker = await emailParticipant();
		const piece = await submitted(maker.supabase, maker.userId, 'Вишиванкка');
		const moderator = await signInWithPassword(stack, ...MODERATOR);
		const fix = {
			pieceId: piece.pieceId,
			language: 'uk',
			title: 'Вишиванка',
			caption: null,
			story: null,
			altTexts: { [piece.photoId]: 'Червоний візерунок' }
		};
		const participant = await joinAsParticipant(stack, 'Ahmad');
		expect(await correctPieceText(participant.supabase, fix)).toEqual({
			ok: false,
			code: 'not_workshop_staff'
		});
		const neustadt = await signInWithPassword(
			stack,
			'facilitator-neustadt@demo.connecting-thread.test',
			'demo-facilitator-2026'
		);
		expect(await correctPieceText(neustadt, fix)).toEqual({
			ok: false,
			code: 'not_workshop_staff'
		});
		expect(await correctPieceText(maker.supabase, fix)).toMatchObject({ ok: false });

		expect(await correctPieceText(moderator, fix)).toEqual({ ok: true, changed: ['alt', 'title'] });
		expect(await correctPieceText(moderator, fix)).toEqual({ ok: false, code: 'no_changes' });
		const { data: text } = await maker.supabase
			.from('piece_texts')
			.select('title')
			.eq('piece_id', piece.pieceId)
			.single();
		expect(text?.title).toBe('Вишиванка');
		const { data: events } = await maker.supabase
			.from('moderation_events')
			.select('action, actor_id, from_status, to_status, changes')
			.eq('piece_id', piece.pieceId)
			.eq('action', 'edit_text');
		expect(events).toEqual([
			{
				action: 'edit_text',
				actor_id: await userId(moderator),
				from_status: 'submitted',
				to_status: 'submitted',
				changes: {
					language: 'uk',
					title: { from: 'Вишиванкка', to: 'Вишиванка' },
					alt: { [piece.photoId]: { from: null, to: 'Червоний візерунок' } }
				}
			}
		]);
	});

	it('the maker gets the decision in their language; ticket holders get no mail', async () => {
		const maker = await emailParticipant();
		const piece = await submitted(maker.supabase, maker.userId, 'Рушник');
		const moderator = await signInWithPassword(stack, ...MODERATOR);
		const decided = await moderator.rpc('moderate_piece', {
			p_piece_id: piece.pieceId,
			p_action: 'request_changes',
			p_expected_status: 'submitted',
			p_reason_codes: ['image_quality'],
			p_note: 'Bitte ein schärferes Foto.',
			p_note_language: 'de'
		});
		expect(decided.error).toBeNull();
		const notice = {
			pieceId: piece.pieceId,
			kind: 'changes_requested' as const,
			reasonCodes: ['image_quality'],
			note: 'Bitte ein schärferes Foto.',
			siteUrl: 'http://app.test'
		};
		expect(await notifyMaker(admin, mailer, notice)).toBe(true);
		const [mail] = await outbox(maker.email);
		expect(mail.subject).toBe('Будь ласка, перегляньте «Рушник» ще раз');
		expect(mail.text).toContain('Bitte ein schärferes Foto.');
		expect(mail.text).toContain('http://app.test/uk/me');
		expect(mail.text).toContain('Причини:');

		const anonymous = await joinAsParticipant(stack, 'Zahra');
		const other = await submitted(anonymous.supabase, anonymous.userId, 'Квітка');
		expect(await notifyMaker(admin, mailer, { ...notice, pieceId: other.pieceId })).toBe(false);
	});

	it('staff who opted in get one digest of new submissions in their workshops', async () => {
		const moderator = await signInWithPassword(stack, ...MODERATOR);
		const neustadt = await signInWithPassword(
			stack,
			'facilitator-neustadt@demo.connecting-thread.test',
			'demo-facilitator-2026'
		);
		for (const staff of [moderator, neustadt]) {
			expect((await staff.rpc('set_submission_digest', { p_enabled: true })).error).toBeNull();
		}
		const participant = await joinAsParticipant(stack, 'Ahmad');
		expect(
			(await participant.supabase.rpc('set_submission_digest', { p_enabled: true })).error?.message
		).toBe('not_staff');
		const maker = await joinAsParticipant(stack, 'Olena');
		await submitted(maker.supabase, maker.userId, 'Новий візерунок');

		const before = (await outbox(MODERATOR[0])).length;
		expect(await sendSubmissionDigests(admin, mailer, 'http://app.test')).toMatchObject({
			failed: 0
		});
		const mails = await outbox(MODERATOR[0]);
		expect(mails.length).toBe(before + 1);
		expect(mails[0].text).toContain('Новий візерунок');
		expect(mails[0].text).toContain('http://app.test/');
		// Johannstadt is not the Neustadt facilitator's workshop: nothing for them.
		expect(await outbox('facilitator-neustadt@demo.connecting-thread.test')).toEqual([]);
		// Nothing new: the next run sends nothing.
		await sendSubmissionDigests(admin, mailer, 'http://app.test');
		expect((await outbox(MODERATOR[0])).length).toBe(before + 1);
	});
});
