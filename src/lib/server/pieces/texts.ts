import type { SupabaseClient } from '@supabase/supabase-js';
import { isTextLanguage } from '../../languages.ts';
import type { StoryValidation } from '../../richtext/schema.ts';
import { isUuid, requireEditablePiece } from './photos.ts';

export const TITLE_MAX = 140;
export const CAPTION_MAX = 600;
export const ALT_MAX = 400;
export const PROVENANCES = [
	'original',
	'translated_by_maker',
	'translated_by_volunteer',
	'machine_translated'
] as const;

export type TextErrorCode =
	| 'piece_language_invalid'
	| 'piece_title_required'
	| 'piece_title_too_long'
	| 'piece_caption_too_long'
	| 'piece_alt_required'
	| 'piece_alt_too_long'
	| 'piece_bidi_controls'
	| 'piece_provenance_invalid'
	| 'story_invalid'
	| 'story_too_long'
	| 'story_bad_link';

export interface TextInput {
	language: string;
	title: string;
	caption: string;
	/** Alt text per photo id, in this text's language. */
	alt: Record<string, string>;
	story: StoryValidation;
	provenance: string;
}

/**
 * Explicit direction overrides and embeddings (U+202A–U+202E, U+2066–U+2069) can make a title read
 * differently from what is stored ("gpj.exe" tricks) and break the layout around it; nobody needs
 * them to write Arabic or Persian, whose direction the page sets from the language.
 */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/;

/** True if a string carries bidi override or isolate controls. */
export function hasBidiControls(value: string): boolean {
	return BIDI_CONTROLS.test(value);
}

/**
 * Checks a text. `complete` demands what submitting needs (a title and every photo's alt text);
 * without it, a draft may be partial, but nothing it holds may break the limits.
 */
export function validateText(input: TextInput, complete: boolean): TextErrorCode | null {
	if (!isTextLanguage(input.language)) return 'piece_language_invalid';
	if (!(PROVENANCES as readonly string[]).includes(input.provenance)) {
		return 'piece_provenance_invalid';
	}
	const all = [input.title, input.caption, ...Object.values(input.alt)];
	if (all.some(hasBidiControls)) return 'piece_bidi_controls';
	if (complete && input.title.length === 0) return 'piece_title_required';
	if (input.title.length > TITLE_MAX) return 'piece_title_too_long';
	if (input.caption.length > CAPTION_MAX) return 'piece_caption_too_long';
	for (const alt of Object.values(input.alt)) {
		if (complete && alt.length === 0) return 'piece_alt_required';
		if (alt.length > ALT_MAX) return 'piece_alt_too_long';
	}
	if (!input.story.ok) return input.story.code;
	return null;
}

/**
 * Saves a text (the original or a translation) and the photos' alt texts in its language. A draft
 * without a title keeps only the alt texts: the table requires a title.
 *
 * @returns the error code, or null when saved.
 */
export async function saveText(
	supabase: SupabaseClient,
	userId: string,
	pieceId: string,
	input: TextInput,
	complete: boolean
): Promise<TextErrorCode | null> {
	const code = validateText(input, complete);
	if (code) return code;
	await requireEditablePiece(supabase, userId, pieceId);
	const story = input.story.ok ? input.story.doc : null;
	const hasStory =
		story !== null && JSON.stringify(story.content ?? []) !== '[{"type":"paragraph"}]';
	if (input.title.length > 0) {
		// Update, else insert: an upsert would also "update" the key columns, which are not granted.
		const fields = {
			title: input.title,
			caption: input.caption || null,
			story: hasStory ? story : null,
			provenance: input.provenance
		};
		const updated = await supabase
			.from('piece_texts')
			.update(fields)
			.eq('piece_id', pieceId)
			.eq('language', input.language)
			.select('language');
		if (updated.error) throw updated.error;
		if (updated.data.length === 0) {
			const { error } = await supabase
				.from('piece_texts')
				.insert({ piece_id: pieceId, language: input.language, ...fields });
			if (error) throw error;
		}
	}
	const ids = Object.keys(input.alt).filter(isUuid);
	if (ids.length > 0) {
		const { data, error } = await supabase
			.from('piece_photos')
			.select('id, alt_text')
			.eq('piece_id', pieceId)
			.in('id', ids);
		if (error) throw error;
		for (const row of data) {
			const alt = { ...(row.alt_text as Record<string, string>) };
			const value = input.alt[row.id];
			if (value) alt[input.language] = value;
			else delete alt[input.language];
			const update = await supabase.from('piece_photos').update({ alt_text: alt }).eq('id', row.id);
			if (update.error) throw update.error;
		}
	}
	return null;
}

/** Sets the language the piece was first written in (the original text's language). */
export async function setOriginalLanguage(
	supabase: SupabaseClient,
	pieceId: string,
	language: string
): Promise<boolean> {
	if (!isTextLanguage(language)) return false;
	const { error } = await supabase
		.from('pieces')
		.update({ original_language: language })
		.eq('id', pieceId);
	if (error) throw error;
	return true;
}
