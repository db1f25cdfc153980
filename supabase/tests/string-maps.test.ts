/**
 * `private.is_language_map` (keys: the five UI languages) and `private.is_tag_map` (keys: any
 * BCP 47 tag) both require a jsonb object of strings; the first is now the second narrowed to the
 * UI languages (migration 20261126130100). The truth table pins what each accepts, and the check
 * constraints that call them are exercised as the roles that really write those columns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, testDbKinds, type TestStack } from '../../tests/helpers/stack.ts';
import { PIECES, SEED, WORKSHOPS, attempt, type Caller } from './support.ts';

/** Values and whether [is_language_map, is_tag_map] accept them. */
const TABLE: [string | null, boolean, boolean][] = [
	[null, true, true],
	['{}', true, true],
	['{"de": "Faden", "fa": "نخ"}', true, true],
	['{"ti": "ፈትሊ"}', false, true],
	['{"zh-Hant": "線", "de": "Faden"}', false, true],
	['{"EN": "thread"}', false, false],
	['{"de": 1}', false, false],
	['{"de": null}', false, false],
	['{"de": {"en": "x"}}', false, false],
	['["de"]', false, false],
	['"de"', false, false],
	['null', false, false]
];

describe.each(testDbKinds())('language and tag maps on %s', (kind) => {
	let stack: TestStack;
	beforeAll(async () => {
		stack = await startTestStack({ kind });
	});
	afterAll(async () => {
		await stack?.close();
	});

	it.each(TABLE)('%s: language map %s, tag map %s', async (value, language, tag) => {
		const { rows } = await stack.db.query<{ language: boolean; tag: boolean }>(
			`select private.is_language_map($1::jsonb) as language, private.is_tag_map($1::jsonb) as tag`,
			[value]
		);
		expect(rows[0]).toEqual({ language, tag });
	});

	it('every role that may call is_language_map may call is_tag_map, which it calls', async () => {
		const { rows } = await stack.db.query<{ role: string; language: boolean; tag: boolean }>(
			`select r as role,
				pg_catalog.has_function_privilege(r, 'private.is_language_map(jsonb)', 'execute') as language,
				pg_catalog.has_function_privilege(r, 'private.is_tag_map(jsonb)', 'execute') as tag
			from unnest(array['anon', 'authenticated', 'service_role']) as r`
		);
		expect(rows).toEqual(
			['anon', 'authenticated', 'service_role'].map((role) => ({ role, language: true, tag: true }))
		);
	});

	/** Runs `sql` as `caller` (rolled back) and returns the Postgres error code or 'ok'. */
	const run = async (caller: Caller, sql: string) => {
		const outcome = await attempt(stack, caller, async (tx) => (await tx.query(sql)).rows);
		return outcome.ok ? 'ok' : outcome.code;
	};
	const check_violation = '23514';

	it('an admin writes workshop titles in UI languages only (is_language_map)', async () => {
		const update = (title: string) =>
			run(
				'admin',
				`update public.workshops set title = '${title}'::jsonb where id = '${WORKSHOPS.johannstadt}'
				returning id`
			);
		expect(await update('{"de": "Neuer Titel", "ar": "عنوان جديد"}')).toBe('ok');
		expect(await update('{"de": "Neuer Titel", "ti": "ሓድሽ"}')).toBe(check_violation);
		expect(await update('{"de": 2026}')).toBe(check_violation);
	});

	it('a participant writes alt text of their draft in any language (is_tag_map)', async () => {
		const update = (alt: string) =>
			run(
				'participantA',
				`update public.piece_photos set alt_text = '${alt}'::jsonb
				where id = '${SEED.photo(29, 0)}' and piece_id = '${PIECES.draftOfA}' returning id`
			);
		expect(await update('{"ti": "ቀይሕ ጥልፊ", "en": "Red embroidery"}')).toBe('ok');
		expect(await update('{"not a tag": "x"}')).toBe(check_violation);
		expect(await update('{"en": ["x"]}')).toBe(check_violation);
	});
});
