import type { SupabaseClient } from '@supabase/supabase-js';
import { Zip, ZipDeflate, ZipPassThrough, strToU8 } from 'fflate';

/*
 * "Download all my data" (GDPR Art. 15 and 20): a ZIP streamed as it is built. Everything is read
 * with the user's own client, so RLS decides what is in it; the queries then keep to the user's
 * own rows (published pieces of others are readable too, but are not theirs). Staff ids on
 * moderation events are left out: they are other people's data.
 */

interface ExportFile {
	name: string;
	json?: unknown;
	load?: () => Promise<Uint8Array | null>;
}

async function rows<T>(query: PromiseLike<{ data: T[] | null; error: unknown }>): Promise<T[]> {
	const { data, error } = await query;
	if (error) throw error;
	return data ?? [];
}

/** The files of a user's export: JSON documents, then their scrubbed masters and voice notes. */
export async function collectExport(
	supabase: SupabaseClient,
	userId: string
): Promise<ExportFile[]> {
	const profile = await rows(supabase.from('profiles').select('*').eq('id', userId));
	const memberships = await rows(
		supabase
			.from('workshop_members')
			.select('joined_at, workshops(slug, title)')
			.eq('user_id', userId)
	);
	const pieces = await rows<{ id: string }>(
		supabase
			.from('pieces')
			.select(
				'id, workshop_id, original_language, attribution_kind, attribution_text, status, created_at, submitted_at, changes_requested_at, published_at, rejected_at, withdrawn_at, piece_texts(language, title, caption, story, provenance, created_at, updated_at), piece_themes(themes(slug))'
			)
			.eq('maker_id', userId)
			.order('created_at')
	);
	const pieceIds = pieces.map((p) => p.id);
	const photos = pieceIds.length
		? await rows<{ id: string; piece_id: string; master_path: string }>(
				supabase
					.from('piece_photos')
					.select('id, piece_id, position, role, master_path, width, height, alt_text, created_at')
					.in('piece_id', pieceIds)
					.order('position')
			)
		: [];
	const voiceNotes = pieceIds.length
		? await rows<{ piece_id: string; path: string }>(
				supabase
					.from('piece_voice_notes')
					.select('piece_id, path, mime_type, language, duration_ms, created_at')
					.in('piece_id', pieceIds)
			)
		: [];
	const consents = await rows(
		supabase.from('consents').select('*').eq('granted_by', userId).order('granted_at')
	);
	const moderation = pieceIds.length
		? await rows(
				supabase
					.from('moderation_events')
					.select(
						'piece_id, action, reason_codes, note, note_language, from_status, to_status, created_at'
					)
					.in('piece_id', pieceIds)
					.order('created_at')
			)
		: [];

	const files: ExportFile[] = [
		{ name: 'profile.json', json: { profile: profile[0] ?? null, memberships } },
		{ name: 'pieces.json', json: pieces },
		{ name: 'photos.json', json: photos },
		{ name: 'voice-notes.json', json: voiceNotes },
		{ name: 'consents.json', json: consents },
		{ name: 'moderation.json', json: moderation }
	];
	for (const photo of photos) {
		files.push({
			name: `photos/${photo.piece_id}/${photo.id}.jpg`,
			load: async () => {
				const { data, error } = await supabase.storage.from('masters').download(photo.master_path);
				// A master that was never uploaded or is gone leaves its photo row in photos.json only.
				if (error || !data) return null;
				return new Uint8Array(await data.arrayBuffer());
			}
		});
	}
	for (const note of voiceNotes) {
		files.push({
			name: `voice-notes/${note.piece_id}${note.path.slice(note.path.lastIndexOf('.'))}`,
			load: async () => {
				const { data, error } = await supabase.storage.from('voice-notes').download(note.path);
				if (error || !data) return null;
				return new Uint8Array(await data.arrayBuffer());
			}
		});
	}
	return files;
}

/** Streams `files` as a ZIP: JSON compressed, photos and audio stored (already compressed). */
export function zipStream(files: ExportFile[]): ReadableStream<Uint8Array> {
	return new ReadableStream<Uint8Array>({
		async start(controller) {
			const zip = new Zip((error, chunk, final) => {
				if (error) {
					controller.error(error);
					return;
				}
				controller.enqueue(chunk);
				if (final) controller.close();
			});
			try {
				for (const file of files) {
					if (file.json !== undefined) {
						const entry = new ZipDeflate(file.name, { level: 6 });
						zip.add(entry);
						entry.push(strToU8(JSON.stringify(file.json, null, 2)), true);
					} else if (file.load) {
						const bytes = await file.load();
						if (!bytes) continue;
						const entry = new ZipPassThrough(file.name);
						zip.add(entry);
						entry.push(bytes, true);
					}
				}
				zip.end();
			} catch (error) {
				controller.error(error);
			}
		}
	});
}
