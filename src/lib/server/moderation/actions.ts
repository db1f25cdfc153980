import type { SupabaseClient } from '@supabase/supabase-js';
import {
	copiedPaths,
	copyToPublic,
	publicMediaPaths,
	removePublicMedia,
	publishVoiceNote,
	writePublicVariants,
	type PhotoVariants
} from './publishing';
// Relative, not #lib: the integration suites import this module without SvelteKit's aliases.
import { PIECE_STATUSES, type PieceStatus } from '../../piece-status';

/** The reason codes `moderation_events.reason_codes` accepts, in the order staff see them. */
export const REASON_CODES = [
	'consent_unclear',
	'people_identifiable',
	'personal_data_visible',
	'off_topic',
	'harmful_content',
	'copyright',
	'image_quality',
	'text_needs_work',
	'translation_needed',
	'duplicate',
	'other'
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export const STAFF_ACTIONS = ['publish', 'request_changes', 'reject', 'unpublish'] as const;
export type StaffAction = (typeof STAFF_ACTIONS)[number];

export { PIECE_STATUSES, type PieceStatus };

export interface ModerateInput {
	pieceId: string;
	action: StaffAction;
	/** The status the moderator saw; the action only takes effect if it is still current. */
	expectedStatus: PieceStatus;
	reasonCodes: string[];
	note?: string | null;
	noteLanguage?: string | null;
}

/** Who changed the piece first, when two staff acted at once. */
export interface LatestEvent {
	action: string;
	toStatus: string;
	actorName: string | null;
	at: string;
}

export type ModerateResult =
	| { ok: true; status: PieceStatus }
	| { ok: false; code: string; current?: { status: string; latest: LatestEvent | null } };

interface RpcError {
	message?: string;
	details?: string | null;
}

function codeOf(error: RpcError | null): string {
	const message = error?.message;
	return typeof message === 'string' && /^[a-z_]+$/.test(message) ? message : 'unexpected';
}

/** The newest event of a piece with its actor's name where the caller may read it (RLS). */
export async function latestEvent(
	supabase: SupabaseClient,
	pieceId: string
): Promise<LatestEvent | null> {
	const { data, error } = await supabase
		.from('moderation_events')
		.select('action, to_status, actor_id, created_at')
		.eq('piece_id', pieceId)
		.order('id', { ascending: false })
		.limit(1)
		.maybeSingle();
	if (error || !data) return null;
	const { data: actor } = data.actor_id
		? await supabase.from('profiles').select('display_name').eq('id', data.actor_id).maybeSingle()
		: { data: null };
	return {
		action: data.action,
		toStatus: data.to_status,
		actorName: (actor?.display_name as string | undefined) ?? null,
		at: data.created_at
	};
}

async function photosOf(supabase: SupabaseClient, pieceId: string): Promise<PhotoVariants[]> {
	const { data, error } = await supabase
		.from('piece_photos')
		.select('id, variants')
		.eq('piece_id', pieceId)
		.order('position');
	if (error) throw error;
	return data as PhotoVariants[];
}

/**
 * Runs one moderation action through `moderate_piece` as the signed-in staff member (`supabase`,
 * their own client: Postgres checks role, workshop, own piece, consent and the expected status)
 * and keeps the public copies in step.
 *
 * Publishing copies the derivatives to `public-media` first, under a fresh unguessable folder no
 * row names yet, so a published row never points at missing objects: if the action loses a race
 * the copies are deleted; if the rows cannot be updated the piece is unpublished again.
 * Unpublishing and rejecting delete the public copies after the action took effect (the paths are
 * read before, since the status change clears them in the same transaction).
 */
export async function moderate(
	supabase: SupabaseClient,
	admin: SupabaseClient,
	input: ModerateInput
): Promise<ModerateResult> {
	const args = {
		p_piece_id: input.pieceId,
		p_action: input.action,
		p_expected_status: input.expectedStatus,
		p_reason_codes: input.reasonCodes,
		p_note: input.note?.trim() || null,
		p_note_language: input.note?.trim() ? (input.noteLanguage ?? 'de') : null
	};

	let copies: Map<string, Record<string, Record<string, string>>> | null = null;
	let oldPublic: string[] = [];
	if (input.action === 'publish') {
		const photos = await photosOf(supabase, input.pieceId);
		if (photos.length > 0) copies = await copyToPublic(admin, photos);
	} else {
		oldPublic = await publicMediaPaths(supabase, input.pieceId);
	}

	const { error } = await supabase.rpc('moderate_piece', args);
	if (error) {
		if (copies) await removePublicMedia(admin, copiedPaths(copies));
		const code = codeOf(error);
		if (code === 'already_moderated') {
			return {
				ok: false,
				code,
				current: {
					status: (error as RpcError).details ?? 'unknown',
					latest: await latestEvent(supabase, input.pieceId)
				}
			};
		}
		return { ok: false, code };
	}

	if (copies) {
		try {
			await writePublicVariants(admin, copies);
			await publishVoiceNote(admin, supabase, input.pieceId);
		} catch (cause) {
			await supabase.rpc('moderate_piece', {
				p_piece_id: input.pieceId,
				p_action: 'unpublish',
				p_expected_status: 'published',
				p_reason_codes: ['other'],
				p_note: null,
				p_note_language: null
			});
			await removePublicMedia(admin, copiedPaths(copies));
			throw cause;
		}
	}
	if (oldPublic.length > 0) await removePublicMedia(admin, oldPublic);

	const to: Record<StaffAction, PieceStatus> = {
		publish: 'published',
		request_changes: 'changes_requested',
		reject: 'rejected',
		unpublish: 'changes_requested'
	};
	return { ok: true, status: to[input.action] };
}
