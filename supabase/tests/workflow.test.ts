/**
 * The checked paths: piece lifecycle, moderation, consent, join codes and the append-only log.
 * Statements run as the API roles do (role + JWT claims), each test in a rolled-back transaction
 * unless it needs two transactions (concurrency).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, testDbKinds, type TestStack } from '../../tests/helpers/stack.ts';
import type { Queryable } from '../local/src/core/db.ts';
import { PIECES, SEED, USERS, WORKSHOPS, attempt, impersonate, type Caller } from './support.ts';

const P = PIECES;

/** Submitting needs a consent for the online gallery (20261126120100_consent_on_submit.sql). */
const GALLERY_CONSENT_OF_A = `insert into public.consents (piece_id, granted_by, scopes,
	people_visible, maker_age_bracket, consent_text_version, consent_language)
	values ('${PIECES.draftOfA}', '${USERS.participant}', '{online_gallery}', false, '16_plus', 't',
		'de');`;

const moderate = (
	tx: Queryable,
	piece: string,
	action: string,
	expected: string,
	reasons: string[] = []
) =>
	tx.query<{ id: number; to_status: string; actor_id: string }>(
		`select * from public.moderate_piece(p_piece_id => $1, p_action => $2,
			p_expected_status => $3, p_reason_codes => $4)`,
		[piece, action, expected, reasons]
	);

const statusOf = async (tx: Queryable, piece: string) =>
	(await tx.query<{ status: string }>('select status from public.pieces where id = $1', [piece]))
		.rows[0]?.status;

/** A submitted piece with photo, text and consent, committed, for tests that need real commits. */
async function committedSubmittedPiece(stack: TestStack, n: number): Promise<string> {
	const piece = SEED.piece(n);
	await stack.db.exec(`
		insert into public.pieces (id, workshop_id, maker_id, original_language)
			values ('${piece}', '${WORKSHOPS.johannstadt}', '${USERS.olena}', 'uk');
		insert into public.piece_photos (piece_id, position, master_path, width, height)
			values ('${piece}', 0, '${USERS.olena}/${piece}/p/master.jpg', 100, 100);
		insert into public.piece_texts (piece_id, language, title) values ('${piece}', 'uk', 'Тест');
		insert into public.consents (piece_id, granted_by, scopes, people_visible, maker_age_bracket,
			consent_text_version, consent_language)
			values ('${piece}', '${USERS.olena}', '{online_gallery}', false, '16_plus', 't', 'uk');
		update public.pieces set status = 'submitted' where id = '${piece}';`);
	return piece;
}

describe.each(testDbKinds())('checked workflow on %s', (kind) => {
	let stack: TestStack;
	beforeAll(async () => {
		stack = await startTestStack({ kind });
	});
	afterAll(async () => {
		await stack?.close();
	});

	const as = <T>(caller: Caller, fn: (tx: Queryable) => Promise<T>, setup?: string) =>
		attempt(stack, caller, fn, setup);

	describe('status and owner are not writable through the API', () => {
		it.each(['published', 'submitted'])(
			'a participant cannot PATCH their own piece to %s',
			async (status) => {
				const outcome = await as('participantA', (tx) =>
					tx.query(`update public.pieces set status = $1 where id = $2 returning id`, [
						status,
						P.draftOfA
					])
				);
				expect(outcome).toMatchObject({ ok: false, code: '42501' });
			}
		);

		it('a moderator cannot PATCH status either (only moderate_piece)', async () => {
			const outcome = await as('moderator', (tx) =>
				tx.query(`update public.pieces set status = 'published' where id = $1`, [
					P.submittedJohannstadt
				])
			);
			expect(outcome).toMatchObject({ ok: false, code: '42501' });
		});

		it('the owner of a piece cannot be changed', async () => {
			const outcome = await as('participantA', (tx) =>
				tx.query(`update public.pieces set maker_id = $1 where id = $2`, [USERS.maryam, P.draftOfA])
			);
			expect(outcome).toMatchObject({ ok: false, code: '42501' });
		});

		it('a piece cannot be created in someone else’s name', async () => {
			const outcome = await as('participantA', (tx) =>
				tx.query(
					`insert into public.pieces (workshop_id, maker_id, original_language)
					 values ($1, $2, 'de')`,
					[WORKSHOPS.johannstadt, USERS.zahra]
				)
			);
			expect(outcome).toMatchObject({ ok: false, code: '42501' });
		});

		it('the guard trigger refuses status changes by API roles even with a column grant', async () => {
			const outcome = await as(
				'participantA',
				(tx) =>
					tx.query(`update public.pieces set status = 'published' where id = $1`, [P.draftOfA]),
				'grant update (status) on public.pieces to authenticated;'
			);
			expect(outcome).toMatchObject({
				ok: false,
				code: '42501',
				message: 'status_change_not_allowed'
			});
		});
	});

	describe('participants', () => {
		it('submit their own draft, which stamps the transition and logs it', async () => {
			const outcome = await as(
				'participantA',
				async (tx) => {
					const { rows } = await tx.query<{ s: string }>('select public.submit_piece($1) as s', [
						P.draftOfA
					]);
					const piece = await tx.query<{ submitted_at: string | null; status: string }>(
						'select status, submitted_at from public.pieces where id = $1',
						[P.draftOfA]
					);
					const events = await tx.query<{ action: string; actor_id: string }>(
						'select action, actor_id from public.moderation_events where piece_id = $1',
						[P.draftOfA]
					);
					return { result: rows[0].s, piece: piece.rows[0], events: events.rows };
				},
				GALLERY_CONSENT_OF_A
			);
			expect(outcome).toMatchObject({
				ok: true,
				value: {
					result: 'submitted',
					piece: { status: 'submitted' },
					events: [{ action: 'submit', actor_id: USERS.participant }]
				}
			});
			if (outcome.ok) expect(outcome.value.piece.submitted_at).not.toBeNull();
		});

		it('cannot submit someone else’s piece', async () => {
			const outcome = await as('participantB', (tx) =>
				tx.query('select public.submit_piece($1)', [P.draftOfA])
			);
			expect(outcome).toMatchObject({ ok: false, code: 'P0001', message: 'piece_not_found' });
		});

		it('cannot submit a piece without a photo', async () => {
			const outcome = await as(
				'participantA',
				(tx) => tx.query('select public.submit_piece($1)', [P.draftOfA]),
				`delete from public.piece_photos where piece_id = '${P.draftOfA}'`
			);
			expect(outcome).toMatchObject({ ok: false, message: 'missing_photo' });
		});

		it('withdraw a published piece at any time, which clears its public media', async () => {
			const outcome = await as({ sub: USERS.olena, anonymous: true }, async (tx) => {
				await tx.query('select public.withdraw_piece($1)', [P.publishedJohannstadt]);
				const status = await statusOf(tx, P.publishedJohannstadt);
				await impersonate(tx, 'service_role');
				const media = await tx.query(
					'select 1 from public.piece_photos where piece_id = $1 and public_variants is not null',
					[P.publishedJohannstadt]
				);
				return { status, publicPhotos: media.rows.length };
			});
			expect(outcome).toEqual({ ok: true, value: { status: 'withdrawn', publicPhotos: 0 } });
		});

		it('withdrawing the gallery consent takes a published piece offline at once', async () => {
			const outcome = await as({ sub: USERS.olena, anonymous: true }, async (tx) => {
				await tx.query(
					'update public.consents set withdrawn_at = now() where piece_id = $1 returning id',
					[P.publishedJohannstadt]
				);
				await impersonate(tx, 'anon');
				const visible = await tx.query('select 1 from public.pieces where id = $1', [
					P.publishedJohannstadt
				]);
				await impersonate(tx, 'moderator');
				const events = await tx.query<{ action: string }>(
					`select action from public.moderation_events where piece_id = $1
					 order by id desc limit 1`,
					[P.publishedJohannstadt]
				);
				return { visibleToPublic: visible.rows.length, last: events.rows[0]?.action };
			});
			expect(outcome).toEqual({
				ok: true,
				value: { visibleToPublic: 0, last: 'consent_withdrawn' }
			});
		});

		it('cannot withdraw someone else’s consent', async () => {
			const outcome = await as('participantA', (tx) =>
				tx.query('update public.consents set withdrawn_at = now() where piece_id = $1', [
					P.publishedJohannstadt
				])
			);
			expect(outcome).toMatchObject({ ok: true, value: { affectedRows: 0 } });
		});
	});

	describe('moderation', () => {
		it('staff of the workshop publish a submitted piece with consent; the event is logged', async () => {
			const outcome = await as('facilitatorOfThis', async (tx) => {
				const { rows } = await moderate(tx, P.submittedJohannstadt, 'publish', 'submitted');
				await impersonate(tx, 'anon');
				const gallery = await tx.query<{ piece_id: string }>(
					`select piece_id from public.gallery_page('de')`
				);
				return {
					event: rows[0],
					inGallery: gallery.rows.some((r) => r.piece_id === P.submittedJohannstadt)
				};
			});
			expect(outcome).toMatchObject({
				ok: true,
				value: {
					event: { to_status: 'published', actor_id: USERS.facilitatorJohannstadt },
					inGallery: true
				}
			});
		});

		it('refuses to publish without a current online-gallery consent', async () => {
			const outcome = await as(
				'moderator',
				(tx) => moderate(tx, P.submittedJohannstadt, 'publish', 'submitted'),
				`update public.consents set withdrawn_at = now() where piece_id = '${P.submittedJohannstadt}'`
			);
			expect(outcome).toMatchObject({ ok: false, code: 'P0001', message: 'consent_missing' });
		});

		it('refuses to publish an under-16 maker’s piece without a guardian’s consent', async () => {
			const outcome = await as(
				'moderator',
				(tx) => moderate(tx, P.submittedJohannstadt, 'publish', 'submitted'),
				`update public.consents set maker_age_bracket = 'under_16'
				 where piece_id = '${P.submittedJohannstadt}'`
			);
			expect(outcome).toMatchObject({ ok: false, message: 'consent_missing' });
		});

		it('the consent rule holds below the function too (trigger), even for the table owner', async () => {
			const outcome = await as(
				'service_role',
				(tx) =>
					tx.query(`update public.pieces set status = 'published' where id = $1`, [
						P.submittedJohannstadt
					]),
				`delete from public.consents where piece_id = '${P.submittedJohannstadt}'`
			);
			expect(outcome).toMatchObject({ ok: false, code: 'P0001', message: 'consent_missing' });
		});

		it('nobody publishes their own piece', async () => {
			const outcome = await as(
				'moderator',
				(tx) => moderate(tx, P.submittedJohannstadt, 'publish', 'submitted'),
				`update public.pieces set maker_id = '${USERS.moderator}' where id = '${P.submittedJohannstadt}'`
			);
			expect(outcome).toMatchObject({ ok: false, code: '42501', message: 'own_piece' });
		});

		it('a facilitator of another workshop is refused', async () => {
			const outcome = await as('facilitatorOfThis', (tx) =>
				moderate(tx, P.submittedNeustadt, 'publish', 'submitted')
			);
			expect(outcome).toMatchObject({ ok: false, code: '42501', message: 'not_workshop_staff' });
		});

		it.each<Caller>(['participantA', 'anonymousParticipant', 'participantB'])(
			'%s is refused',
			async (caller) => {
				const outcome = await as(caller, (tx) =>
					moderate(tx, P.submittedJohannstadt, 'publish', 'submitted')
				);
				expect(outcome).toMatchObject({ ok: false, code: '42501', message: 'not_workshop_staff' });
			}
		);

		it('anon cannot even call it', async () => {
			const outcome = await as('anon', (tx) =>
				moderate(tx, P.submittedJohannstadt, 'publish', 'submitted')
			);
			expect(outcome).toMatchObject({ ok: false, code: '42501' });
			if (!outcome.ok) expect(outcome.message).toMatch(/permission denied for function/);
		});

		it('a staff row on an anonymous sign-in grants nothing', async () => {
			const outcome = await as(
				'anonymousParticipant',
				(tx) => moderate(tx, P.submittedJohannstadt, 'publish', 'submitted'),
				`insert into public.staff_roles (user_id, role) values ('${USERS.zahra}', 'moderator')`
			);
			expect(outcome).toMatchObject({ ok: false, message: 'not_workshop_staff' });
		});

		it('a revoked moderator is refused on the very next call', async () => {
			const outcome = await as('moderator', async (tx) => {
				const first = await moderate(tx, P.submittedJohannstadt, 'publish', 'submitted');
				await impersonate(tx, 'admin');
				await tx.query(`delete from public.staff_roles where user_id = $1`, [USERS.moderator]);
				await impersonate(tx, 'moderator');
				try {
					await moderate(tx, P.submittedNeustadt, 'publish', 'submitted');
					return { first: first.rows.length, second: 'allowed' };
				} catch (error) {
					return { first: first.rows.length, second: (error as Error).message };
				}
			});
			expect(outcome).toEqual({ ok: true, value: { first: 1, second: 'not_workshop_staff' } });
		});

		it('requests changes only with a reason, and the maker sees the note', async () => {
			const withoutReason = await as('moderator', (tx) =>
				moderate(tx, P.submittedJohannstadt, 'request_changes', 'submitted')
			);
			expect(withoutReason).toMatchObject({ ok: false, message: 'reason_required' });

			const outcome = await as('moderator', async (tx) => {
				await tx.query(
					`select public.moderate_piece(p_piece_id => $1, p_action => 'request_changes',
						p_expected_status => 'submitted', p_reason_codes => '{text_needs_work}',
						p_note => 'Bitte den Titel kürzen.', p_note_language => 'de')`,
					[P.submittedJohannstadt]
				);
				await impersonate(tx, { sub: USERS.olena, anonymous: true });
				return (
					await tx.query<{ note: string; note_language: string }>(
						`select note, note_language from public.moderation_events
						 where piece_id = $1 and action = 'request_changes'`,
						[P.submittedJohannstadt]
					)
				).rows;
			});
			expect(outcome).toEqual({
				ok: true,
				value: [{ note: 'Bitte den Titel kürzen.', note_language: 'de' }]
			});
		});

		it('rejects actions that do not fit the expected status', async () => {
			const outcome = await as('moderator', (tx) =>
				moderate(tx, P.submittedJohannstadt, 'unpublish', 'submitted', ['other'])
			);
			expect(outcome).toMatchObject({ ok: false, message: 'invalid_action' });
		});

		it('unpublish sends a published piece back for changes and clears its public media', async () => {
			const outcome = await as('facilitatorOfThis', async (tx) => {
				await moderate(tx, P.publishedJohannstadt, 'unpublish', 'published', ['consent_unclear']);
				await impersonate(tx, 'service_role');
				const media = await tx.query(
					'select 1 from public.piece_photos where piece_id = $1 and public_variants is not null',
					[P.publishedJohannstadt]
				);
				return { status: await statusOf(tx, P.publishedJohannstadt), media: media.rows.length };
			});
			expect(outcome).toEqual({ ok: true, value: { status: 'changes_requested', media: 0 } });
		});

		it('a stale expected status gets already_moderated', async () => {
			const outcome = await as('moderator', async (tx) => {
				await moderate(tx, P.submittedJohannstadt, 'publish', 'submitted');
				await impersonate(tx, 'facilitatorOfThis');
				return moderate(tx, P.submittedJohannstadt, 'reject', 'submitted', ['off_topic']);
			});
			expect(outcome).toMatchObject({ ok: false, code: 'P0001', message: 'already_moderated' });
		});

		it('two moderators at once: exactly one wins, the other gets already_moderated', async () => {
			const piece = await committedSubmittedPiece(stack, 901);
			const act = (caller: Caller, action: string, reasons: string[]) =>
				stack.db.transaction(async (tx) => {
					await impersonate(tx, caller);
					// On Postgres each transaction has its own connection: both run at once and the
					// row lock makes the later UPDATE re-check `status = expected` after the first
					// commits. PGlite has one connection and runs them one after the other.
					return (await moderate(tx, piece, action, 'submitted', reasons)).rows[0];
				});
			const results = await Promise.allSettled([
				act('moderator', 'publish', []),
				act('facilitatorOfThis', 'reject', ['off_topic'])
			]);
			const won = results.filter((r) => r.status === 'fulfilled');
			const lost = results.filter((r) => r.status === 'rejected');
			expect(won).toHaveLength(1);
			expect(lost).toHaveLength(1);
			expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({
				code: 'P0001',
				message: 'already_moderated'
			});
			const { rows } = await stack.db.query<{ n: number }>(
				`select count(*)::int as n from public.moderation_events
				 where piece_id = $1 and action in ('publish', 'reject')`,
				[piece]
			);
			expect(rows[0].n).toBe(1);
		});
	});

	describe('moderation events are append-only', () => {
		it.each<Caller>(['admin', 'moderator', 'participantA', 'service_role'])(
			'%s cannot update or delete them',
			async (caller) => {
				const update = await as(caller, (tx) =>
					tx.query(`update public.moderation_events set note = 'x' where piece_id = $1`, [
						P.changesRequestedOfA
					])
				);
				const remove = await as(caller, (tx) =>
					tx.query(`delete from public.moderation_events where piece_id = $1`, [
						P.changesRequestedOfA
					])
				);
				expect(update).toMatchObject({ ok: false, code: '42501' });
				expect(remove).toMatchObject({ ok: false, code: '42501' });
			}
		);

		it('the table owner is stopped by the trigger, truncate included', async () => {
			const run = (sql: string) =>
				stack.db
					.transaction((tx) => tx.exec(sql))
					.then(
						() => 'done',
						(error: { code?: string; message?: string }) => `${error.code} ${error.message}`
					);
			expect(await run(`update public.moderation_events set note = 'x'`)).toBe(
				'42501 moderation_events_append_only'
			);
			expect(await run(`delete from public.moderation_events`)).toBe(
				'42501 moderation_events_append_only'
			);
			expect(await run(`truncate public.moderation_events`)).toBe(
				'42501 moderation_events_append_only'
			);
		});

		it('erasing a piece (GDPR Art. 17) takes its events with it', async () => {
			const outcome = await as('service_role', async (tx) => {
				await tx.query('delete from public.pieces where id = $1', [P.changesRequestedOfA]);
				return (
					await tx.query('select 1 from public.moderation_events where piece_id = $1', [
						P.changesRequestedOfA
					])
				).rows.length;
			});
			expect(outcome).toEqual({ ok: true, value: 0 });
		});
	});

	describe('joining a workshop', () => {
		const NEWCOMER = SEED.user(777);
		const newcomer: Caller = { sub: NEWCOMER, anonymous: true };
		const signUp = `insert into auth.users (id, aud, role, is_anonymous, raw_user_meta_data)
			values ('${NEWCOMER}', 'authenticated', 'authenticated', true,
				'{"display_name": "Newcomer", "role": "admin", "ui_language": "uk"}');`;

		it('a new auth user gets a profile, and user_metadata grants no role', async () => {
			const outcome = await as(
				newcomer,
				async (tx) => {
					const profile = await tx.query('select display_name, ui_language from public.profiles');
					const roles = await tx.query('select * from public.staff_roles');
					return { profile: profile.rows, roles: roles.rows.length };
				},
				signUp
			);
			expect(outcome).toEqual({
				ok: true,
				value: { profile: [{ display_name: 'Newcomer', ui_language: 'uk' }], roles: 0 }
			});
		});

		it('an anonymous sign-in joins with the demo code, however it is typed', async () => {
			const outcome = await as(
				newcomer,
				async (tx) => {
					const { rows } = await tx.query<{ w: string }>(
						`select public.join_workshop('faden 2026 demo', 'Nadia', 'ar', '16_plus') as w`
					);
					const profile = await tx.query(
						'select display_name, ui_language, age_bracket from public.profiles'
					);
					const piece = await tx.query(
						`insert into public.pieces (workshop_id, original_language) values ($1, 'ar') returning maker_id`,
						[rows[0].w]
					);
					return { workshop: rows[0].w, profile: profile.rows[0], piece: piece.rows[0] };
				},
				signUp
			);
			expect(outcome).toEqual({
				ok: true,
				value: {
					workshop: WORKSHOPS.johannstadt,
					profile: { display_name: 'Nadia', ui_language: 'ar', age_bracket: '16_plus' },
					piece: { maker_id: NEWCOMER }
				}
			});
		});

		it('a wrong code is refused', async () => {
			const outcome = await as(
				newcomer,
				(tx) => tx.query(`select public.join_workshop('FADEN-2026-DEMX')`),
				signUp
			);
			expect(outcome).toMatchObject({ ok: false, code: 'P0001', message: 'invalid_code' });
		});

		it('a closed workshop refuses even a valid, freshly rotated code', async () => {
			const outcome = await as('admin', async (tx) => {
				const { rows } = await tx.query<{ code: string }>(
					'select public.rotate_join_code($1) as code',
					[WORKSHOPS.neustadt]
				);
				expect(rows[0].code).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){4}$/);
				await impersonate(tx, 'participantA');
				return tx.query('select public.join_workshop($1)', [rows[0].code]);
			});
			expect(outcome).toMatchObject({ ok: false, message: 'joining_closed' });
		});

		it('rotating revokes the old code; only admins and the workshop’s facilitators may rotate', async () => {
			const rotated = await as('facilitatorOfThis', async (tx) => {
				await tx.query('select public.rotate_join_code($1)', [WORKSHOPS.johannstadt]);
				await impersonate(tx, 'participantB');
				return tx.query(`select public.join_workshop('FADEN-2026-DEMO')`);
			});
			expect(rotated).toMatchObject({ ok: false, message: 'invalid_code' });

			for (const caller of ['facilitatorOfOther', 'participantA', 'moderator'] as const) {
				const outcome = await as(caller, (tx) =>
					tx.query('select public.rotate_join_code($1)', [WORKSHOPS.johannstadt])
				);
				expect(outcome, caller).toMatchObject({ ok: false, code: '42501' });
			}
		});

		it('nobody can read a join code hash back', async () => {
			for (const caller of ['admin', 'facilitatorOfThis', 'participantA'] as const) {
				const outcome = await as(caller, (tx) =>
					tx.query('select code_hash from private.workshop_join_codes')
				);
				expect(outcome, caller).toMatchObject({ ok: false, code: '42501' });
			}
		});
	});

	describe('return tickets', () => {
		it('are shown once, stored hashed, and redeemed only by the service role', async () => {
			const outcome = await as('anonymousParticipant', async (tx) => {
				const { rows } = await tx.query<{ code: string }>(
					'select public.create_return_ticket() as code'
				);
				const mine = await tx.query<{ n: number }>(
					'select count(*)::int as n from public.return_tickets where revoked_at is null'
				);
				let selfRedeem = 'allowed';
				try {
					await tx.query('savepoint s');
					await tx.query('select public.redeem_return_ticket($1)', [rows[0].code]);
				} catch (error) {
					selfRedeem = (error as { code: string }).code;
					await tx.query('rollback to savepoint s');
				}
				await impersonate(tx, 'service_role');
				const redeemed = await tx.query<{ u: string }>(
					'select public.redeem_return_ticket($1) as u',
					[rows[0].code.toLowerCase()]
				);
				return { active: mine.rows[0].n, selfRedeem, user: redeemed.rows[0].u };
			});
			expect(outcome).toEqual({
				ok: true,
				value: { active: 1, selfRedeem: '42501', user: USERS.zahra }
			});
		});
	});

	describe('quotas', () => {
		it('allow p_limit takes per window and then refuse with quota_exceeded', async () => {
			const outcome = await as('anonymousParticipant', async (tx) => {
				const take = () =>
					tx.query<{ used: number }>(`select public.take_quota('uploads', 2, '1 hour') as used`);
				const used = [(await take()).rows[0].used, (await take()).rows[0].used];
				try {
					await take();
					return { used, third: 'allowed' };
				} catch (error) {
					return { used, third: (error as Error).message };
				}
			});
			expect(outcome).toEqual({ ok: true, value: { used: [1, 2], third: 'quota_exceeded' } });
		});
	});

	describe('gallery', () => {
		it('pages by keyset without gaps or repeats, newest first, and filters by workshop', async () => {
			const outcome = await as('anon', async (tx) => {
				type Row = { piece_id: string; published_at: Date; workshop_id: string };
				const page = (args: string) =>
					tx.query<Row>(
						`select piece_id, published_at, workshop_id from public.gallery_page(${args})`
					);
				const all = (await page(`'en', 100`)).rows;
				const first = (await page(`'en', 10`)).rows;
				const last = first[first.length - 1];
				const second = (
					await tx.query<Row>(
						`select piece_id, published_at, workshop_id from public.gallery_page('en', 10, $1, $2)`,
						[last.published_at, last.piece_id]
					)
				).rows;
				const neustadt = (await page(`'de', 100, null, null, '${WORKSHOPS.neustadt}'`)).rows;
				// Earlier tests in this file may have published more than the seed's 24 (they commit).
				const published = (
					await tx.query<{ n: number }>('select count(*)::int as n from public.pieces')
				).rows[0].n;
				return { all, first, second, neustadt, published };
			});
			expect(outcome.ok).toBe(true);
			if (!outcome.ok) return;
			const { all, first, second, neustadt, published } = outcome.value;
			expect(published).toBeGreaterThanOrEqual(24);
			expect(all).toHaveLength(published);
			const times = all.map((r) => new Date(r.published_at).getTime());
			expect(times).toEqual([...times].sort((a, b) => b - a));
			expect([...first, ...second].map((r) => r.piece_id)).toEqual(
				all.slice(0, 20).map((r) => r.piece_id)
			);
			expect(neustadt.length).toBeGreaterThan(0);
			expect(neustadt.every((r) => r.workshop_id === WORKSHOPS.neustadt)).toBe(true);
		});

		it('falls back to the original language and returns public media only', async () => {
			const outcome = await as('anon', (tx) =>
				tx.query<{ text_language: string; title: string; image_variants: Record<string, unknown> }>(
					`select text_language, title, image_variants from public.gallery_page('en', 100)
					 where piece_id = $1`,
					[SEED.piece(6)]
				)
			);
			expect(outcome).toMatchObject({
				ok: true,
				value: { rows: [{ text_language: 'uk', title: 'Соняшники на Ельбі' }] }
			});
			if (outcome.ok)
				expect(Object.keys(outcome.value.rows[0].image_variants)).toEqual(['jpg', 'avif', 'webp']);
		});
	});

	describe('search', () => {
		it('finds published texts across languages, folding accents, and nothing unpublished', async () => {
			const outcome = await as('anon', async (tx) => {
				const find = async (q: string) =>
					(
						await tx.query<{ piece_id: string }>('select piece_id from public.search_pieces($1)', [
							q
						])
					).rows.map((r) => r.piece_id);
				return {
					german: await find('Fäden'),
					ukrainian: await find('домівки'),
					persian: await find('نان'),
					submitted: await find('Дорога')
				};
			});
			expect(outcome.ok).toBe(true);
			if (!outcome.ok) return;
			expect(outcome.value.german).toContain(P.publishedJohannstadt);
			expect(outcome.value.ukrainian).toEqual([P.publishedJohannstadt]);
			expect(outcome.value.persian).toEqual([SEED.piece(18)]);
			expect(outcome.value.submitted).toEqual([]);
		});
	});
});
