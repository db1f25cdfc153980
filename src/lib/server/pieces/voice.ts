import { randomBytes } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';
import { isTextLanguage } from '../../languages.ts';
import { AudioFormatError, inspectAudio, type AudioInfo } from './audio.ts';
import { requireEditablePiece } from './photos.ts';

/*
 * Spoken stories: one voice note per piece, recorded in the browser (MediaRecorder gives WebM/Opus
 * in Chrome and Firefox, Ogg/Opus in older Firefox, MP4/AAC in Safari), in any language. The
 * browser posts the recording to the app, which parses the container (type, audio only, duration
 * ≤ 3 minutes: audio.ts) before anything is stored, writes it to the private `voice-notes` bucket
 * and records it in `piece_voice_notes`. Both writes use the service role on purpose: no API role
 * may write there, so only audio the server checked is ever stored or published. On any failure
 * what was written is removed. Publishing copies it to `public-media` like the photos.
 */

export const VOICE_MAX_MS = 180_000;
/** 3 minutes of Opus at 32 kbit/s is ~0.7 MB, of AAC at 128 kbit/s ~2.9 MB; with room to spare. */
export const VOICE_MAX_BYTES = 5 * 1024 * 1024;
const BUCKET = 'voice-notes';
const EXTENSION = { 'audio/webm': 'webm', 'audio/ogg': 'ogg', 'audio/mp4': 'm4a' } as const;

export type VoiceErrorCode =
	| 'piece_voice_unsupported'
	| 'piece_voice_too_long'
	| 'piece_voice_too_large'
	| 'piece_voice_empty'
	| 'piece_voice_language_invalid';

/** An expected refusal of a recording; the code is a translated message key. */
export class VoiceError extends Error {
	constructor(
		readonly code: VoiceErrorCode,
		readonly status = 422
	) {
		super(code);
		this.name = 'VoiceError';
	}
}

/** True for a {@link VoiceError}, also across module copies. */
export function isVoiceError(error: unknown): error is VoiceError {
	return error instanceof Error && error.name === 'VoiceError' && 'code' in error;
}

/**
 * Checks a recording: size, container, audio-only, codec and duration. The declared MIME type is
 * ignored; the bytes decide.
 *
 * @throws {VoiceError}
 */
export function validateVoiceNote(bytes: Uint8Array): AudioInfo {
	if (bytes.length === 0) throw new VoiceError('piece_voice_empty');
	if (bytes.length > VOICE_MAX_BYTES) throw new VoiceError('piece_voice_too_large', 413);
	let info: AudioInfo;
	try {
		info = inspectAudio(bytes);
	} catch (error) {
		if (error instanceof AudioFormatError) throw new VoiceError('piece_voice_unsupported');
		throw error;
	}
	if (info.durationMs < 500) throw new VoiceError('piece_voice_empty');
	// 1 s of slack: recorders stop a little after the button (timers, the last frame).
	if (info.durationMs > VOICE_MAX_MS + 1000) throw new VoiceError('piece_voice_too_long');
	return info;
}

export interface VoiceNote {
	language: string;
	durationMs: number;
	mimeType: string;
	/** A short-lived signed URL (the maker's own view) or the public URL (gallery). */
	url: string;
}

/**
 * Stores a checked recording as the piece's voice note, replacing an earlier one.
 *
 * @param supabase the participant's client (RLS decides whether the piece is theirs and editable)
 * @param admin service role: the only writer of `voice-notes` and `piece_voice_notes`
 */
export async function saveVoiceNote(
	supabase: SupabaseClient,
	admin: SupabaseClient,
	userId: string,
	pieceId: unknown,
	language: string,
	bytes: Uint8Array
): Promise<{ durationMs: number; mimeType: string }> {
	const piece = await requireEditablePiece(supabase, userId, pieceId);
	if (!isTextLanguage(language)) throw new VoiceError('piece_voice_language_invalid', 400);
	const info = validateVoiceNote(bytes);
	const path = `${userId}/${piece.id}/${crypto.randomUUID()}.${EXTENSION[info.mimeType]}`;
	const previous = await admin
		.from('piece_voice_notes')
		.select('path')
		.eq('piece_id', piece.id)
		.maybeSingle();
	if (previous.error) throw previous.error;
	const upload = await admin.storage
		.from(BUCKET)
		.upload(path, bytes, { contentType: info.mimeType, upsert: false });
	if (upload.error) throw upload.error;
	const { error } = await admin.from('piece_voice_notes').upsert({
		piece_id: piece.id,
		path,
		mime_type: info.mimeType,
		language,
		duration_ms: info.durationMs,
		bytes: bytes.length,
		public_path: null
	});
	if (error) {
		await admin.storage.from(BUCKET).remove([path]);
		throw error;
	}
	if (previous.data?.path) await admin.storage.from(BUCKET).remove([previous.data.path]);
	return { durationMs: info.durationMs, mimeType: info.mimeType };
}

/** Deletes the voice note of an editable piece of the caller: row and object. */
export async function deleteVoiceNote(
	supabase: SupabaseClient,
	admin: SupabaseClient,
	userId: string,
	pieceId: unknown
): Promise<void> {
	const piece = await requireEditablePiece(supabase, userId, pieceId);
	const { data, error } = await admin
		.from('piece_voice_notes')
		.delete()
		.eq('piece_id', piece.id)
		.select('path');
	if (error) throw error;
	const paths = data.map((row) => row.path as string);
	if (paths.length > 0) await admin.storage.from(BUCKET).remove(paths);
}

/** The piece's voice note for its maker (or staff), with a signed URL; null without one. */
export async function voiceNoteForReader(
	supabase: SupabaseClient,
	pieceId: string
): Promise<VoiceNote | null> {
	const { data, error } = await supabase
		.from('piece_voice_notes')
		.select('path, language, duration_ms, mime_type')
		.eq('piece_id', pieceId)
		.maybeSingle();
	if (error) throw error;
	if (!data) return null;
	const signed = await supabase.storage.from(BUCKET).createSignedUrl(data.path as string, 3600);
	if (signed.error) throw signed.error;
	return {
		language: data.language as string,
		durationMs: data.duration_ms as number,
		mimeType: data.mime_type as string,
		url: signed.data.signedUrl
	};
}

/** The public voice note of a published piece, for the gallery; null when there is none. */
export async function publicVoiceNote(
	supabase: SupabaseClient,
	pieceId: string
): Promise<VoiceNote | null> {
	const { data, error } = await supabase
		.from('piece_voice_notes')
		.select('public_path, language, duration_ms, mime_type')
		.eq('piece_id', pieceId)
		.not('public_path', 'is', null)
		.maybeSingle();
	if (error) throw error;
	if (!data?.public_path) return null;
	return {
		language: data.language as string,
		durationMs: data.duration_ms as number,
		mimeType: data.mime_type as string,
		url: supabase.storage.from('public-media').getPublicUrl(data.public_path as string).data
			.publicUrl
	};
}

/**
 * On publish: copies the piece's voice note (read with the moderator's own client, so RLS decides)
 * to `public-media` under a fresh unguessable folder and records the path with the service role.
 * Returns the public path (null without a voice note); on failure nothing is left behind.
 */
export async function publishVoiceNote(
	admin: SupabaseClient,
	supabase: SupabaseClient,
	pieceId: string
): Promise<string | null> {
	const { data, error } = await supabase
		.from('piece_voice_notes')
		.select('path')
		.eq('piece_id', pieceId)
		.maybeSingle();
	if (error) throw error;
	if (!data) return null;
	const file = (data.path as string).split('/').pop() as string;
	const target = `${randomBytes(16).toString('hex')}/voice/${file}`;
	const copy = await admin.storage
		.from(BUCKET)
		.copy(data.path as string, target, { destinationBucket: 'public-media' });
	if (copy.error) throw copy.error;
	const { error: updateError } = await admin
		.from('piece_voice_notes')
		.update({ public_path: target })
		.eq('piece_id', pieceId);
	if (updateError) {
		await admin.storage.from('public-media').remove([target]);
		throw updateError;
	}
	return target;
}
