/**
 * `submit_piece` refuses a piece whose consent would not let a moderator publish it: no consent or
 * none for the online gallery, visible people without their agreement, an under-16 (or unknown
 * age) maker without a guardian. Each case runs as the maker, in a rolled-back transaction.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, testDbKinds, type TestStack } from '../../tests/helpers/stack.ts';
import { PIECES, USERS, attempt } from './support.ts';

/** Participant A's seeded draft: it has a photo and a title, but no consent. */
const PIECE = PIECES.draftOfA;
const MAKER = USERS.participant;

interface ConsentRow {
	scopes?: string;
	peopleVisible?: boolean;
	peopleAgreed?: boolean | null;
	age?: '16_plus' | 'under_16';
	guardian?: boolean;
	grantedBy?: string;
	withdrawn?: boolean;
	grantedAt?: string;
}

/** SQL inserting one consent row for the draft (run as the owner before the maker's call). */
function consent(row: ConsentRow = {}): string {
	const guardian = row.guardian ? `'Guardian', now()` : 'null, null';
	const agreed = row.peopleAgreed === undefined ? 'null' : String(row.peopleAgreed);
	return `insert into public.consents (piece_id, granted_by, scopes, people_visible,
		depicted_people_agreed, maker_age_bracket, guardian_name, guardian_consented_at,
		consent_text_version, consent_language, granted_at, withdrawn_at)
	values ('${PIECE}', '${row.grantedBy ?? MAKER}', '${row.scopes ?? '{online_gallery}'}',
		${row.peopleVisible ?? false}, ${agreed}, '${row.age ?? '16_plus'}', ${guardian}, 't', 'de',
		${row.grantedAt ? `'${row.grantedAt}'` : 'now()'}, ${row.withdrawn ? 'now()' : 'null'});`;
}

const profileAge = (age: string | null) =>
	`update public.profiles set age_bracket = ${age ? `'${age}'` : 'null'} where id = '${MAKER}';`;

describe.each(testDbKinds())('consent checked by submit_piece on %s', (kind) => {
	let stack: TestStack;
	beforeAll(async () => {
		stack = await startTestStack({ kind });
	});
	afterAll(async () => {
		await stack?.close();
	});

	/** Submits the draft as its maker after `setup`; the status it ends in, or the refusal. */
	const submit = (setup: string) =>
		attempt(
			stack,
			'participantA',
			async (tx) => {
				await tx.query('select public.submit_piece($1)', [PIECE]);
				const { rows } = await tx.query<{ status: string }>(
					'select status from public.pieces where id = $1',
					[PIECE]
				);
				return rows[0].status;
			},
			setup
		);

	it.each<[string, string, string]>([
		['no consent at all', '', 'consent_missing'],
		[
			'a consent without the online gallery',
			consent({ scopes: '{print_exhibition}' }),
			'consent_missing'
		],
		['only a withdrawn consent', consent({ withdrawn: true }), 'consent_missing'],
		['a consent someone else gave', consent({ grantedBy: USERS.admin }), 'consent_missing'],
		[
			'people visible without their agreement',
			consent({ peopleVisible: true, peopleAgreed: false }),
			'consent_people_not_agreed'
		],
		[
			'an under-16 consent without a guardian',
			profileAge('under_16') + consent({ age: 'under_16' }),
			'consent_guardian_missing'
		],
		[
			'a consent claiming 16+ while the profile says under 16',
			profileAge('under_16') + consent({ age: '16_plus' }),
			'consent_guardian_missing'
		],
		[
			'a maker who never said their age, without a guardian',
			profileAge(null) + consent({ age: '16_plus' }),
			'consent_guardian_missing'
		],
		[
			'a newer consent without the gallery over an older complete one',
			consent({ grantedAt: '2026-01-01T00:00:00Z' }) + consent({ scopes: '{social_media}' }),
			'consent_missing'
		]
	])('refuses %s', async (_case, setup, message) => {
		expect(await submit(setup)).toEqual({
			ok: false,
			code: 'P0001',
			message
		});
	});

	it.each<[string, string]>([
		['a gallery consent without people', consent()],
		[
			'visible people who agreed, all three uses',
			consent({
				scopes: '{online_gallery,print_exhibition,social_media}',
				peopleVisible: true,
				peopleAgreed: true
			})
		],
		[
			'an under-16 maker with a guardian',
			profileAge('under_16') + consent({ age: 'under_16', guardian: true })
		],
		[
			'a newer complete consent over an older one without the gallery',
			consent({ scopes: '{print_exhibition}', grantedAt: '2026-01-01T00:00:00Z' }) + consent()
		]
	])('submits with %s', async (_case, setup) => {
		expect(await submit(setup)).toEqual({ ok: true, value: 'submitted' });
	});

	it('checks consent again when a piece with requested changes is resubmitted', async () => {
		const setup = `update public.consents set withdrawn_at = now()
			where piece_id = '${PIECES.changesRequestedOfA}';`;
		const outcome = await attempt(
			stack,
			'participantA',
			(tx) => tx.query('select public.submit_piece($1)', [PIECES.changesRequestedOfA]),
			setup
		);
		expect(outcome).toMatchObject({ ok: false, code: 'P0001', message: 'consent_missing' });
	});

	it('keeps the helper out of reach of API roles', async () => {
		const outcome = await attempt(stack, 'participantA', (tx) =>
			tx.query('select private.submit_consent_problem($1)', [PIECE])
		);
		expect(outcome).toMatchObject({ ok: false, code: '42501' });
	});
});
