import type { SupabaseClient } from '@supabase/supabase-js';

/**
 * The version of the consent wording (the `piece_consent_*` messages). Bump it whenever their
 * meaning changes in any language: each consent row records the version and language it was
 * given in, so it can be shown again exactly as the participant read it.
 */
export const CONSENT_TEXT_VERSION = '2026-11-v1';
export const CONSENT_SCOPES = ['online_gallery', 'print_exhibition', 'social_media'] as const;
const UI_LANGUAGES = new Set(['de', 'en', 'uk', 'ar', 'fa']);

export type ConsentErrorCode =
	| 'piece_consent_scope_required'
	| 'piece_consent_people_required'
	| 'piece_consent_people_agreed_required'
	| 'piece_consent_guardian_required';

export interface ConsentInput {
	scopes: string[];
	/** 'yes' | 'no' | '' (not answered). */
	peopleVisible: string;
	peopleAgreed: boolean;
	guardianName: string;
	guardianConfirmed: boolean;
	/** The UI language the consent was shown in. */
	language: string;
}

/** What a consent needs so that a moderator could publish the piece; null when complete. */
export function validateConsent(
	input: ConsentInput,
	ageBracket: string | null
): ConsentErrorCode | null {
	const scopes = input.scopes.filter((s) => (CONSENT_SCOPES as readonly string[]).includes(s));
	if (!scopes.includes('online_gallery')) return 'piece_consent_scope_required';
	if (input.peopleVisible !== 'yes' && input.peopleVisible !== 'no') {
		return 'piece_consent_people_required';
	}
	if (input.peopleVisible === 'yes' && !input.peopleAgreed) {
		return 'piece_consent_people_agreed_required';
	}
	if (ageBracket !== '16_plus') {
		const name = input.guardianName.trim();
		if (!input.guardianConfirmed || name.length < 1 || name.length > 120) {
			return 'piece_consent_guardian_required';
		}
	}
	return null;
}

/**
 * Records a consent for the caller's piece, replacing (withdrawing) their earlier one so exactly
 * one current consent exists. The age bracket comes from the profile set when joining; without
 * one the participant is treated as under 16 (a guardian must agree).
 */
export async function giveConsent(
	supabase: SupabaseClient,
	userId: string,
	pieceId: string,
	input: ConsentInput
): Promise<ConsentErrorCode | null> {
	const profile = await supabase
		.from('profiles')
		.select('age_bracket')
		.eq('id', userId)
		.maybeSingle();
	if (profile.error) throw profile.error;
	const age = (profile.data?.age_bracket as string | null) ?? null;
	const code = validateConsent(input, age);
	if (code) return code;
	const now = new Date().toISOString();
	const previous = await supabase
		.from('consents')
		.update({ withdrawn_at: now })
		.eq('piece_id', pieceId)
		.eq('granted_by', userId)
		.is('withdrawn_at', null);
	if (previous.error) throw previous.error;
	const minor = age !== '16_plus';
	const { error } = await supabase.from('consents').insert({
		piece_id: pieceId,
		scopes: CONSENT_SCOPES.filter((s) => input.scopes.includes(s)),
		people_visible: input.peopleVisible === 'yes',
		depicted_people_agreed: input.peopleVisible === 'yes' ? input.peopleAgreed : null,
		maker_age_bracket: minor ? 'under_16' : '16_plus',
		guardian_name: minor ? input.guardianName.trim() : null,
		guardian_consented_at: minor ? now : null,
		consent_text_version: CONSENT_TEXT_VERSION,
		consent_language: UI_LANGUAGES.has(input.language) ? input.language : 'de'
	});
	if (error) throw error;
	return null;
}

/** The caller's current consent for the piece, or null. */
export async function currentConsent(supabase: SupabaseClient, pieceId: string) {
	const { data, error } = await supabase
		.from('consents')
		.select(
			'scopes, people_visible, depicted_people_agreed, maker_age_bracket, guardian_name, granted_at'
		)
		.eq('piece_id', pieceId)
		.is('withdrawn_at', null)
		.order('granted_at', { ascending: false })
		.limit(1)
		.maybeSingle();
	if (error) throw error;
	return data;
}
