/**
 * `share_kit_refusal`: the rule for the social-media share kit, in Postgres. Only moderators and
 * admins, only published pieces, only with a current consent that covers social media; a
 * withdrawn social-media consent ends it at once. Each case runs in a rolled-back transaction.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, testDbKinds, type TestStack } from '../../tests/helpers/stack.ts';
import { PIECES, SEED, USERS, attempt, type Caller } from './support.ts';

/** Karin's published "Gemeinsamer Tisch": the seed's one piece with social-media consent. */
const SOCIAL = SEED.piece(10);

const onlineOnlyConsent = `insert into public.consents (piece_id, granted_by, scopes,
	people_visible, maker_age_bracket, consent_text_version, consent_language)
	values ('${SOCIAL}', '${USERS.karin}', '{online_gallery}', false, '16_plus', 't', 'de');`;
const withdrawSocial = `update public.consents set withdrawn_at = now()
	where piece_id = '${SOCIAL}' and 'social_media' = any (scopes);`;

describe.each(testDbKinds())('share_kit_refusal on %s', (kind) => {
	let stack: TestStack;
	beforeAll(async () => {
		stack = await startTestStack({ kind });
	});
	afterAll(async () => {
		await stack?.close();
	});

	const refusal = (caller: Caller, piece: string, setup?: string) =>
		attempt(
			stack,
			caller,
			async (tx) => {
				const { rows } = await tx.query<{ refusal: string | null }>(
					'select public.share_kit_refusal($1) as refusal',
					[piece]
				);
				return rows[0].refusal;
			},
			setup
		);

	it('lets moderators and admins have the kit of a consented, published piece', async () => {
		expect(await refusal('moderator', SOCIAL)).toEqual({ ok: true, value: null });
		expect(await refusal('admin', SOCIAL)).toEqual({ ok: true, value: null });
	});

	it('refuses facilitators, participants and anonymous callers', async () => {
		for (const caller of ['facilitatorOfThis', 'participantA', 'anonymousParticipant'] as const) {
			expect(await refusal(caller, SOCIAL), caller).toEqual({
				ok: true,
				value: 'share_kit_not_staff'
			});
		}
		expect(await refusal('anon', SOCIAL)).toMatchObject({ ok: false, code: '42501' });
	});

	it('refuses pieces without social-media consent, unpublished and unknown ones', async () => {
		expect(await refusal('moderator', PIECES.publishedJohannstadt)).toEqual({
			ok: true,
			value: 'share_kit_no_consent'
		});
		expect(await refusal('moderator', PIECES.submittedJohannstadt)).toEqual({
			ok: true,
			value: 'share_kit_not_published'
		});
		expect(await refusal('moderator', crypto.randomUUID())).toEqual({
			ok: true,
			value: 'share_kit_not_found'
		});
	});

	it('ends with the social-media consent, while the piece stays in the gallery', async () => {
		const setup = onlineOnlyConsent + withdrawSocial;
		expect(await refusal('moderator', SOCIAL, setup)).toEqual({
			ok: true,
			value: 'share_kit_no_consent'
		});
		// Withdrawing the only consent takes the piece offline (GDPR Art. 7(3)): no kit either.
		expect(await refusal('moderator', SOCIAL, withdrawSocial)).toEqual({
			ok: true,
			value: 'share_kit_not_published'
		});
	});
});
