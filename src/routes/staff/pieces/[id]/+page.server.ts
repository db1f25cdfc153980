import { fail } from '@sveltejs/kit';
import { requireStaff } from '#lib/server/auth.ts';
import {
	moderate,
	PIECE_STATUSES,
	REASON_CODES,
	STAFF_ACTIONS,
	type PieceStatus,
	type StaffAction
} from '#lib/server/moderation/actions.ts';
import { afterDecision, purgePiece } from '#lib/server/moderation/after.ts';
import { isEmptyStory, storyPlainText } from '#lib/richtext/plain-text.ts';
import type { StoryDoc } from '#lib/richtext/schema.ts';
import { correctPieceText } from '#lib/server/moderation/edit.ts';
import { readStoryFormField } from '#lib/server/richtext/form.ts';
import { shareKitRefusal } from '#lib/server/share/kit.ts';
import { supabaseAdmin } from '#lib/server/supabase-admin.ts';
import { loadQueue, readFilters } from '../../queue';
import { loadReview } from './review';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url, depends }) => {
	depends('supabase:db:pieces');
	await requireStaff();
	const filters = readFilters(url);
	const [review, queue, shareKit] = await Promise.all([
		loadReview(locals.supabase, params.id, locals.locale),
		loadQueue(locals.supabase, filters),
		shareKitRefusal(locals.supabase, params.id)
	]);
	const index = queue.findIndex((item) => item.id === params.id);
	// Outside the filtered queue (e.g. just decided), "next" is the oldest waiting piece.
	const next = index === -1 ? queue[0] : queue[index + 1];
	const previous = index > 0 ? queue[index - 1] : undefined;
	return {
		...review,
		search: url.search,
		next: next && next.id !== params.id ? next.id : null,
		previous: previous?.id ?? null,
		reasonCodes: [...REASON_CODES],
		/** Why there is no share kit, or null when there is one (the rule is in Postgres). */
		shareKit
	};
};

function strings(form: FormData, name: string): string[] {
	return form.getAll(name).filter((v): v is string => typeof v === 'string');
}

export const actions: Actions = {
	decide: async ({ locals, params, request, url }) => {
		await requireStaff();
		const form = await request.formData();
		const action = form.get('action');
		const expected = form.get('expected');
		const note = form.get('note');
		const noteLanguage = form.get('note_language');
		const reasons = strings(form, 'reason');
		if (
			typeof action !== 'string' ||
			!(STAFF_ACTIONS as readonly string[]).includes(action) ||
			typeof expected !== 'string' ||
			!(PIECE_STATUSES as readonly string[]).includes(expected) ||
			reasons.some((r) => !(REASON_CODES as readonly string[]).includes(r)) ||
			(typeof note === 'string' && note.length > 2000)
		) {
			return fail(400, { code: 'invalid_input' as const, action: String(action ?? '') });
		}
		// Service role for public-media only (copying on publish, deleting on unpublish/reject):
		// nobody else may write that bucket. The decision itself runs as the staff member.
		const result = await moderate(locals.supabase, supabaseAdmin(), {
			pieceId: params.id,
			action: action as StaffAction,
			expectedStatus: expected as PieceStatus,
			reasonCodes: reasons,
			note: typeof note === 'string' ? note : null,
			noteLanguage:
				typeof noteLanguage === 'string' && /^[a-z]{2,3}$/.test(noteLanguage)
					? noteLanguage
					: locals.locale
		});
		if (!result.ok) {
			const status =
				result.code === 'already_moderated' ? 409 : result.code === 'unexpected' ? 500 : 400;
			return fail(status, {
				code: result.code,
				action,
				current: result.current ?? null,
				values: { reasons, note: typeof note === 'string' ? note : '' }
			});
		}
		await afterDecision({
			pieceId: params.id,
			action: action as StaffAction,
			reasonCodes: reasons,
			note: typeof note === 'string' && note.trim() ? note.trim() : null,
			origin: url.origin
		});
		return { done: action as StaffAction };
	},

	correct: async ({ locals, params, request, url }) => {
		await requireStaff();
		const form = await request.formData();
		const language = form.get('language');
		const title = form.get('title');
		const caption = form.get('caption');
		if (
			typeof language !== 'string' ||
			!/^[a-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$/.test(language) ||
			typeof title !== 'string' ||
			title.length > 140 ||
			(caption !== null && (typeof caption !== 'string' || caption.length > 600))
		) {
			return fail(400, { correctCode: 'invalid_input', language: String(language ?? '') });
		}
		const story = readStoryFormField(form, 'story');
		if (!story.ok) return fail(400, { correctCode: 'story_invalid', language });
		const altTexts: Record<string, string> = {};
		for (const [key, value] of form) {
			const match = /^alt_([0-9a-f-]{36})$/.exec(key);
			if (match && typeof value === 'string' && value.length <= 400) altTexts[match[1]] = value;
		}
		// Typo fixes change words: a story whose text is the same stays exactly as the maker wrote
		// it (the editor may normalise the document without anyone changing a letter).
		const { data: current } = await locals.supabase
			.from('piece_texts')
			.select('story')
			.eq('piece_id', params.id)
			.eq('language', language)
			.maybeSingle();
		const before = (current?.story as StoryDoc | null) ?? null;
		const after = isEmptyStory(story.doc) ? null : story.doc;
		const unchanged =
			(before ? storyPlainText(before) : '') === (after ? storyPlainText(after) : '');
		const result = await correctPieceText(locals.supabase, {
			pieceId: params.id,
			language,
			title,
			caption: typeof caption === 'string' ? caption : null,
			story: unchanged ? before : after,
			altTexts
		});
		if (!result.ok) {
			const status = result.code === 'unexpected' ? 500 : 400;
			return fail(status, { correctCode: result.code, language });
		}
		// A published piece's page changed: let caches in front of it know.
		await purgePiece(params.id, url.origin);
		return { corrected: language, changed: result.changed };
	}
};
