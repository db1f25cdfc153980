/**
 * The same rules seen through the unmodified supabase-js client against the local stack: what the
 * app and a hostile client can actually do over HTTP with the seeded demo accounts.
 */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, testDbKinds, type TestStack } from '../../tests/helpers/stack.ts';
import { PIECES, USERS, WORKSHOPS } from './support.ts';

const DEMO = {
	participant: ['participant@demo.connecting-thread.test', 'demo-participant-2026'],
	moderator: ['moderator@demo.connecting-thread.test', 'demo-moderator-2026']
} as const;

describe.each(testDbKinds())('through supabase-js on %s', (kind) => {
	let stack: TestStack;
	beforeAll(async () => {
		stack = await startTestStack({ kind });
	});
	afterAll(async () => {
		await stack?.close();
	});

	const client = (key = stack.keys.publishable): SupabaseClient =>
		createClient(stack.url, key, {
			auth: { persistSession: false, autoRefreshToken: false }
		});

	async function signedIn(who: keyof typeof DEMO): Promise<SupabaseClient> {
		const supabase = client();
		const [email, password] = DEMO[who];
		const { error } = await supabase.auth.signInWithPassword({ email, password });
		expect(error).toBeNull();
		return supabase;
	}

	it('a visitor reads the published gallery and nothing else', async () => {
		const supabase = client();
		const gallery = await supabase.rpc('gallery_page', { p_language: 'de' });
		expect(gallery.error).toBeNull();
		expect(gallery.data).toHaveLength(24);
		const pieces = await supabase.from('pieces').select('id, status');
		expect(new Set(pieces.data?.map((p) => p.status))).toEqual(new Set(['published']));
		const consents = await supabase.from('consents').select('id');
		expect(consents.error?.code).toBe('42501');
	});

	it('a participant cannot publish their own piece by PATCH, but may edit it', async () => {
		const supabase = await signedIn('participant');
		const patch = await supabase
			.from('pieces')
			.update({ status: 'published' })
			.eq('id', PIECES.draftOfA)
			.select();
		expect(patch.error?.code).toBe('42501');
		const edit = await supabase
			.from('pieces')
			.update({ attribution_kind: 'initials', attribution_text: 'S.' })
			.eq('id', PIECES.draftOfA)
			.select('attribution_text, status');
		expect(edit.error).toBeNull();
		expect(edit.data).toEqual([{ attribution_text: 'S.', status: 'draft' }]);
	});

	it('user_metadata cannot make anyone a moderator', async () => {
		const supabase = await signedIn('participant');
		const update = await supabase.auth.updateUser({ data: { role: 'moderator', staff: true } });
		expect(update.error).toBeNull();
		await supabase.auth.refreshSession();
		const attempt = await supabase.rpc('moderate_piece', {
			p_piece_id: PIECES.submittedJohannstadt,
			p_action: 'publish',
			p_expected_status: 'submitted'
		});
		expect(attempt.error?.message).toBe('not_workshop_staff');
	});

	it('an anonymous sign-in joins with the code and starts a piece', async () => {
		const supabase = client();
		const { data: session, error } = await supabase.auth.signInAnonymously();
		expect(error).toBeNull();
		const joined = await supabase.rpc('join_workshop', {
			p_code: 'FADEN-2026-DEMO',
			p_display_name: 'Nadia'
		});
		expect(joined).toMatchObject({ error: null, data: WORKSHOPS.johannstadt });
		const piece = await supabase
			.from('pieces')
			.insert({ workshop_id: WORKSHOPS.johannstadt, original_language: 'ar' })
			.select('maker_id, status')
			.single();
		expect(piece.data).toEqual({ maker_id: session.user?.id, status: 'draft' });
	});

	it('moderating twice with the same expected status: the second call is told', async () => {
		const supabase = await signedIn('moderator');
		const args = {
			p_piece_id: PIECES.submittedNeustadt,
			p_action: 'publish',
			p_expected_status: 'submitted'
		};
		const first = await supabase.rpc('moderate_piece', args);
		expect(first.error).toBeNull();
		expect(first.data).toMatchObject({ to_status: 'published', actor_id: USERS.moderator });
		const second = await supabase.rpc('moderate_piece', args);
		expect(second.error).toMatchObject({ code: 'P0001', message: 'already_moderated' });
	});

	describe('storage', () => {
		const jpeg = new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10])], {
			type: 'image/jpeg'
		});

		it('participants upload originals only into their own folder', async () => {
			const supabase = await signedIn('participant');
			const own = await supabase.storage
				.from('originals')
				.upload(`${USERS.participant}/upload-1`, jpeg, { contentType: 'image/jpeg' });
			expect(own.error).toBeNull();
			const foreign = await supabase.storage
				.from('originals')
				.upload(`${USERS.maryam}/planted`, jpeg, { contentType: 'image/jpeg' });
			expect(foreign.error).not.toBeNull();
			const masters = await supabase.storage
				.from('masters')
				.upload(`${USERS.participant}/${PIECES.draftOfA}/x/master.jpg`, jpeg, {
					contentType: 'image/jpeg'
				});
			expect(masters.error).not.toBeNull();
		});

		it('public media download without a policy, and cannot be listed', async () => {
			const service = client(stack.keys.secret);
			const path = `0123456789abcdef0123456789abcdef/photo/w480.jpg`;
			const put = await service.storage
				.from('public-media')
				.upload(path, jpeg, { contentType: 'image/jpeg' });
			expect(put.error).toBeNull();

			const visitor = client();
			const { data } = visitor.storage.from('public-media').getPublicUrl(path);
			const response = await fetch(data.publicUrl);
			expect(response.status).toBe(200);
			const listing = await visitor.storage
				.from('public-media')
				.list('0123456789abcdef0123456789abcdef');
			expect(listing.data ?? []).toEqual([]);
			const upload = await visitor.storage
				.from('public-media')
				.upload('x/y/w480.jpg', jpeg, { contentType: 'image/jpeg' });
			expect(upload.error).not.toBeNull();
		});
	});
});
