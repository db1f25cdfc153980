import type { SupabaseClient } from '@supabase/supabase-js';

export interface TextCorrection {
	pieceId: string;
	language: string;
	title: string;
	caption: string | null;
	/** A validated story document (see `readStoryFormField`), or null for none. */
	story: unknown;
	/** New alt texts in `language`, by photo id; an empty string removes one. */
	altTexts: Record<string, string>;
}

export type CorrectionResult = { ok: true; changed: string[] } | { ok: false; code: string };

/**
 * Stores a staff member's correction of one language of a piece through `correct_piece_text`, as
 * that staff member: Postgres checks the workshop, refuses their own piece and pieces not under
 * review or on show, and records who changed what (old and new) as an `edit_text` event.
 */
export async function correctPieceText(
	supabase: SupabaseClient,
	input: TextCorrection
): Promise<CorrectionResult> {
	const { data, error } = await supabase.rpc('correct_piece_text', {
		p_piece_id: input.pieceId,
		p_language: input.language,
		p_title: input.title.trim(),
		p_caption: input.caption?.trim() || null,
		p_story: input.story ?? null,
		p_alt_texts: input.altTexts
	});
	if (error) {
		const message = error.message;
		return { ok: false, code: /^[a-z_]+$/.test(message ?? '') ? message : 'unexpected' };
	}
	const changes = ((data as { changes?: Record<string, unknown> } | null)?.changes ?? {}) as Record<
		string,
		unknown
	>;
	return { ok: true, changed: Object.keys(changes).filter((k) => k !== 'language') };
}
