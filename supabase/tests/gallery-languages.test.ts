/**
 * `gallery_languages()` lists the languages of published pieces' texts, any BCP 47 tag, for every
 * audience alike; texts of unpublished pieces never appear, not even for staff.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, testDbKinds, type TestStack } from '../../tests/helpers/stack.ts';
import { PIECES, attempt, type Caller } from './support.ts';

/** A Turkish translation of a published piece and a Tigrinya one of a submitted piece. */
const SETUP = `insert into public.piece_texts (piece_id, language, title, caption, provenance)
	values ('${PIECES.publishedNeustadt}', 'tr', 'Yanımda getirdiğim ev', null,
		'translated_by_volunteer'),
	('${PIECES.submittedJohannstadt}', 'ti', 'ገዛ', null, 'translated_by_volunteer');`;

describe.each(testDbKinds())('gallery_languages on %s', (kind) => {
	let stack: TestStack;
	beforeAll(async () => {
		stack = await startTestStack({ kind });
	});
	afterAll(async () => {
		await stack?.close();
	});

	const languages = async (caller: Caller) => {
		const outcome = await attempt(
			stack,
			caller,
			async (tx) =>
				(
					await tx.query<{ language: string; pieces: string }>(
						'select language, pieces from public.gallery_languages()'
					)
				).rows,
			SETUP
		);
		if (!outcome.ok) throw new Error(outcome.message);
		return outcome.value;
	};

	it.each<Caller>(['anon', 'participantA', 'moderator'])(
		'%s sees the languages of published pieces only',
		async (caller) => {
			const rows = await languages(caller);
			const tags = rows.map((row) => row.language);
			expect(tags).toEqual(expect.arrayContaining(['de', 'en', 'uk', 'ar', 'fa', 'tr']));
			expect(tags).not.toContain('ti');
			expect(Number(rows.find((row) => row.language === 'tr')?.pieces)).toBe(1);
			// Most widely used first.
			const counts = rows.map((row) => Number(row.pieces));
			expect(counts).toEqual([...counts].sort((a, b) => b - a));
		}
	);
});
