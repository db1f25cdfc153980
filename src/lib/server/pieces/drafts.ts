import type { SupabaseClient } from '@supabase/supabase-js';
import { isTextLanguage } from '../../languages.ts';
import { PieceError } from './errors.ts';
import { MAX_PHOTOS, requireEditablePiece } from './photos.ts';

export type SubmitErrorCode =
	| 'piece_no_photos'
	| 'piece_too_many_photos'
	| 'piece_title_required'
	| 'piece_alt_required'
	| 'piece_consent_missing'
	| 'piece_consent_people_agreed_required'
	| 'piece_consent_guardian_required'
	| 'piece_not_editable';

/** Workshops the caller belongs to (a piece always belongs to one). */
export async function memberWorkshops(
	supabase: SupabaseClient,
	userId: string
): Promise<{ id: string; title: Record<string, string> }[]> {
	const { data, error } = await supabase
		.from('workshop_members')
		.select('workshop_id, workshops(id, title)')
		.eq('user_id', userId);
	if (error) throw error;
	return data.flatMap((row) => {
		const w = row.workshops as unknown as { id: string; title: Record<string, string> } | null;
		return w ? [{ id: w.id, title: w.title }] : [];
	});
}

/** Creates an empty draft in one of the caller's workshops; null if they belong to none of them. */
export async function createDraft(
	supabase: SupabaseClient,
	userId: string,
	workshopId: string,
	language: string
): Promise<string | null> {
	const draft = await ensureDraft(supabase, userId, workshopId, language, crypto.randomUUID());
	return draft?.id ?? null;
}

/**
 * The caller's draft with the id `id`, created if there is none yet; null if the caller belongs
 * to no such workshop. The id is the browser's own for a piece kept offline, so sending it again
 * (a lost answer, a retry after a 5xx) finds that piece instead of making a second one.
 */
export async function ensureDraft(
	supabase: SupabaseClient,
	userId: string,
	workshopId: string,
	language: string,
	id: string
): Promise<{ id: string; created: boolean } | null> {
	if (!isTextLanguage(language)) return null;
	const workshops = await memberWorkshops(supabase, userId);
	if (!workshops.some((w) => w.id === workshopId)) return null;
	const own = async () => {
		const { data, error } = await supabase
			.from('pieces')
			.select('id, maker_id')
			.eq('id', id)
			.maybeSingle();
		if (error) throw error;
		return data?.maker_id === userId;
	};
	if (await own()) return { id, created: false };
	const { error } = await supabase
		.from('pieces')
		.insert({ id, workshop_id: workshopId, original_language: language });
	if (!error) return { id, created: true };
	if (error.code !== '23505') throw error;
	// Two sends of the same piece at once: the other one inserted it. Anyone else's id is refused.
	if (await own()) return { id, created: false };
	throw new PieceError('piece_not_found', 404);
}

/** `submit_piece`'s refusals (P0001 messages) and the piece area's codes that explain them. */
const SUBMIT_REFUSALS: Record<string, SubmitErrorCode> = {
	not_editable: 'piece_not_editable',
	missing_photo: 'piece_no_photos',
	missing_title: 'piece_title_required',
	consent_missing: 'piece_consent_missing',
	consent_people_not_agreed: 'piece_consent_people_agreed_required',
	consent_guardian_missing: 'piece_consent_guardian_required'
};

/**
 * Submits the piece for review once it is complete: one to eight photos, each with alt text in
 * the original language, a title in that language, and a consent under which it could be shown
 * online. Photos' alt texts are checked here; photo, title and consent (online gallery, agreement
 * of people shown, a guardian for under-16s) are enforced by `submit_piece` in the database, so
 * no client can skip them, and its refusals come back as translatable codes.
 */
export async function submitPiece(
	supabase: SupabaseClient,
	userId: string,
	pieceId: string
): Promise<SubmitErrorCode | null> {
	await requireEditablePiece(supabase, userId, pieceId);
	const piece = await supabase
		.from('pieces')
		.select('original_language, piece_photos(id, alt_text), piece_texts(language, title)')
		.eq('id', pieceId)
		.single();
	if (piece.error) throw piece.error;
	const lang = piece.data.original_language as string;
	const photos = piece.data.piece_photos as { id: string; alt_text: Record<string, string> }[];
	const texts = piece.data.piece_texts as { language: string; title: string }[];
	if (photos.length === 0) return 'piece_no_photos';
	if (photos.length > MAX_PHOTOS) return 'piece_too_many_photos';
	if (!texts.some((t) => t.language === lang && t.title.trim())) return 'piece_title_required';
	if (photos.some((p) => !p.alt_text?.[lang]?.trim())) return 'piece_alt_required';
	const { error } = await supabase.rpc('submit_piece', { p_piece_id: pieceId });
	if (error) {
		const code = SUBMIT_REFUSALS[error.message];
		if (code) return code;
		throw error;
	}
	return null;
}
