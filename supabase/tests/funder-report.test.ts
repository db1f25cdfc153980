/**
 * `funder_report()` gives moderators and admins participation figures with small counts
 * suppressed in the database: every figure below 5 comes back as null ('small'), and where a
 * shown figure would let a suppressed one be had by subtraction, it is suppressed as well
 * ('complement'). The fixture is a workshop of its own in 2030, far from the seed's dates, so
 * every figure is known exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, testDbKinds, type TestStack } from '../../tests/helpers/stack.ts';
import { SEED, attempt, type Caller } from './support.ts';

const FIXTURE_WORKSHOP = '10000000-0000-4000-8000-000000000901';
const piece = (i: number) => `60000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

/**
 * Twelve pieces, one started and submitted per day from 1 to 12 April 2030, by six makers; a
 * seventh person joined without making anything. Pieces 1-7 are written in German, 8-12 in
 * Ukrainian; 1-5 have an English translation and 8 a Tigrinya one (6 translated). Nine are
 * published; all twelve consent to the online gallery, seven to print, none to social media;
 * two have a voice note.
 */
const SETUP = `
insert into public.workshops (id, slug, title, venue_name, starts_on, ends_on)
	values ('${FIXTURE_WORKSHOP}', 'report-fixture', '{"de":"Berichtsprobe"}', 'Testhaus',
		'2030-03-01', '2030-06-30');
insert into public.workshop_members (workshop_id, user_id, joined_at)
	select '${FIXTURE_WORKSHOP}', ('00000000-0000-4000-8000-' || lpad(u::text, 12, '0'))::uuid,
		timestamptz '2030-03-15 10:00+01'
	from generate_series(11, 17) as u;
insert into public.pieces (id, workshop_id, maker_id, original_language, created_at)
	select ('60000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, '${FIXTURE_WORKSHOP}',
		('00000000-0000-4000-8000-' || lpad((11 + i % 6)::text, 12, '0'))::uuid,
		case when i <= 7 then 'de' else 'uk' end,
		timestamptz '2030-04-01 10:00+02' + (i - 1) * interval '1 day'
	from generate_series(1, 12) as i;
insert into public.piece_texts (piece_id, language, title)
	select ('60000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid,
		case when i <= 7 then 'de' else 'uk' end, 'Stück ' || i
	from generate_series(1, 12) as i;
insert into public.piece_texts (piece_id, language, title, provenance)
	select ('60000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, 'en', 'Piece ' || i,
		'translated_by_volunteer'
	from generate_series(1, 5) as i;
insert into public.piece_texts (piece_id, language, title, provenance)
	values ('${piece(8)}', 'ti', 'ስራሕ', 'translated_by_volunteer');
insert into public.consents (piece_id, granted_by, scopes, people_visible, maker_age_bracket,
	consent_text_version, consent_language, granted_at)
	select p.id, p.maker_id,
		case when i <= 7 then '{online_gallery,print_exhibition}'::public.consent_scope[]
			else '{online_gallery}'::public.consent_scope[] end,
		false, '16_plus', '2030-01', 'de', p.created_at
	from generate_series(1, 12) as i
	join public.pieces p on p.id = ('60000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid;
insert into public.piece_voice_notes (piece_id, path, mime_type, language, duration_ms, bytes)
	select p.id, p.maker_id || '/' || p.id || '/note.webm', 'audio/webm', 'de', 30000, 1000
	from public.pieces p where p.id in ('${piece(1)}', '${piece(2)}');
update public.pieces p set status = 'submitted', submitted_at = p.created_at + interval '2 hours'
	where p.workshop_id = '${FIXTURE_WORKSHOP}';
update public.pieces p set status = 'published', published_at = p.created_at + interval '1 day'
	where p.workshop_id = '${FIXTURE_WORKSHOP}'
		and p.id not in ('${piece(10)}', '${piece(11)}', '${piece(12)}');
`;

interface Row {
	position: number;
	section: string;
	item: string;
	figure: number | null;
	suppressed: 'small' | 'complement' | null;
}

type Args = [from: string, to: string, workshop?: string | null, venue?: string | null];

describe.each(testDbKinds())('funder_report on %s', (kind) => {
	let stack: TestStack;
	beforeAll(async () => {
		stack = await startTestStack({ kind });
	});
	afterAll(async () => {
		await stack?.close();
	});

	const call = (caller: Caller, ...[from, to, workshop = null, venue = null]: Args) =>
		attempt(
			stack,
			caller,
			async (tx) =>
				(
					await tx.query<Row>(
						'select * from public.funder_report($1::date, $2::date, $3::uuid, $4::text)',
						[from, to, workshop, venue]
					)
				).rows,
			SETUP
		);

	const report = async (caller: Caller, ...args: Args) => {
		const outcome = await call(caller, ...args);
		if (!outcome.ok) throw new Error(`${outcome.code} ${outcome.message}`);
		return outcome.value;
	};

	/** `section.item` → shown figure, or the suppression marker. */
	const byKey = (rows: Row[]) =>
		Object.fromEntries(rows.map((r) => [`${r.section}.${r.item}`, r.suppressed ?? r.figure]));

	it.each<Caller>([
		'anon',
		'participantA',
		'anonymousParticipant',
		'facilitatorOfThis',
		{ sub: SEED.user(1), anonymous: true }
	])('%o is refused', async (caller) => {
		const outcome = await call(caller, '2030-01-01', '2030-12-31');
		expect(outcome).toMatchObject({ ok: false, code: '42501' });
		// anon has no EXECUTE at all; signed-in non-staff get the function's own code.
		expect(outcome.ok || outcome.message).toMatch(
			caller === 'anon' ? /^permission denied for function/ : /^report_not_allowed$/
		);
	});

	it.each<Caller>(['moderator', 'admin'])('%s gets the figures, suppressed', async (caller) => {
		expect(byKey(await report(caller, '2030-01-01', '2030-12-31', FIXTURE_WORKSHOP))).toEqual({
			'workshops.held': 'small', // 1 workshop
			'workshops.sessions': 12,
			'workshops.participants': 7,
			'pieces.submitted': 12,
			// 9 published: shown, 12 - 9 would give the 3 unpublished pieces away.
			'pieces.published': 'complement',
			'pieces.translated': 6,
			'pieces.translated_share': 50,
			'pieces.voice_notes': 'small', // 2
			'consent.online_gallery': 'complement', // all 12: the 0 without it
			'consent.print_exhibition': 7, // 12 - 7 = 5 without it
			'consent.social_media': 'small', // 0
			'languages.de': 7,
			// 5 English, 5 Ukrainian; Tigrinya (1) is pooled into "other", which is small, so the
			// smallest named language goes too.
			'languages.en': 'complement',
			'languages.uk': 5,
			'languages._other': 'small'
		});
	});

	it('never returns a figure below 5, nor the value behind a suppressed one', async () => {
		const rows = await report('moderator', '2030-01-01', '2030-12-31', FIXTURE_WORKSHOP);
		for (const row of rows) {
			if (row.suppressed) expect(row.figure, `${row.section}.${row.item}`).toBeNull();
			else if (row.item !== 'translated_share') expect(row.figure).toBeGreaterThanOrEqual(5);
		}
	});

	it('no suppressed figure can be recovered by subtraction', async () => {
		const periods: Args[] = [
			['2030-01-01', '2030-12-31', FIXTURE_WORKSHOP],
			['2030-04-01', '2030-04-07', FIXTURE_WORKSHOP],
			['2030-01-01', '2030-12-31', null, 'Testhaus'],
			['2026-01-01', '2026-12-31']
		];
		for (const args of periods) {
			const rows = await report('moderator', ...args);
			const n = rows.find((r) => r.item === 'submitted')?.figure;
			// Each figure "of those" and the pieces without it add up to n: where n is shown, the
			// figure is shown only if the pieces without it are 5 or more.
			for (const row of rows.filter((r) => ['pieces', 'consent'].includes(r.section))) {
				if (n != null && row.figure != null && row.item !== 'translated_share') {
					if (row.item !== 'submitted') expect(n - row.figure).toBeGreaterThanOrEqual(5);
				}
			}
			// Never exactly one suppressed language row.
			const languages = rows.filter((r) => r.section === 'languages');
			expect(languages.filter((r) => r.suppressed).length).not.toBe(1);
			// A rare language (the fixture's one Tigrinya text) is never named.
			expect(languages.map((r) => r.item)).not.toContain('ti');
		}
	});

	it('one week of the fixture: partly suppressed, with its own totals', async () => {
		// 1-7 April: pieces 1-7 by six makers, all German and published, 1-5 also in English.
		expect(byKey(await report('moderator', '2030-04-01', '2030-04-07', FIXTURE_WORKSHOP))).toEqual({
			'workshops.held': 'small',
			'workshops.sessions': 7,
			'workshops.participants': 6,
			'pieces.submitted': 7,
			'pieces.published': 'complement', // all 7: the 0 unpublished
			'pieces.translated': 'complement', // 5 of 7: 2 without
			'pieces.translated_share': 'complement',
			'pieces.voice_notes': 'small',
			'consent.online_gallery': 'complement',
			'consent.print_exhibition': 'complement',
			'consent.social_media': 'small',
			'languages.de': 7,
			'languages.en': 5
		});
	});

	it('a venue selects its workshops', async () => {
		const venue = byKey(await report('moderator', '2030-01-01', '2030-12-31', null, 'Testhaus'));
		expect(venue['pieces.submitted']).toBe(12);
		const elsewhere = byKey(
			await report('moderator', '2030-01-01', '2030-12-31', null, 'Palitzschhof')
		);
		expect(elsewhere['pieces.submitted']).toBe('small');
	});

	it('a period with no data: every figure suppressed, no language named', async () => {
		const rows = await report('moderator', '2031-01-01', '2031-12-31');
		expect(rows.length).toBeGreaterThan(0);
		expect(rows.every((r) => r.figure === null && r.suppressed === 'small')).toBe(true);
		expect(rows.filter((r) => r.section === 'languages')).toEqual([]);
	});

	it.each<[string, Args, string]>([
		['end before start', ['2030-12-31', '2030-01-01'], 'report_end_before_start'],
		['more than ten years', ['2000-01-01', '2030-12-31'], 'report_period_too_long'],
		['an infinite date', ['-infinity', '2030-12-31'], 'report_invalid_date'],
		[
			'an unknown workshop',
			['2030-01-01', '2030-12-31', '10000000-0000-4000-8000-000000000999'],
			'report_unknown_workshop'
		],
		['an unknown venue', ['2030-01-01', '2030-12-31', null, 'Nirgendwo'], 'report_unknown_venue']
	])('%s is refused with a code', async (_, args, message) => {
		expect(await call('moderator', ...args)).toMatchObject({ ok: false, code: '22023', message });
	});

	it('project settings: staff read them, only admins change them', async () => {
		const read = (caller: Caller) =>
			attempt(
				stack,
				caller,
				async (tx) => (await tx.query('select * from public.project_settings')).rows.length
			);
		expect(await read('moderator')).toEqual({ ok: true, value: 1 });
		expect(await read('participantA')).toEqual({ ok: true, value: 0 });
		expect(await read('facilitatorOfThis')).toEqual({ ok: true, value: 0 });
		const rename = (caller: Caller) =>
			attempt(
				stack,
				caller,
				async (tx) =>
					(await tx.query(`update public.project_settings set project_name = 'X' returning id`))
						.rows.length
			);
		expect(await rename('moderator')).toEqual({ ok: true, value: 0 });
		expect(await rename('admin')).toEqual({ ok: true, value: 1 });
	});
});
