import type { SupabaseClient } from '@supabase/supabase-js';
import { isImageError, processImage, type ProcessedImage } from '../images/index.ts';
import { isPieceError, PieceError } from './errors.ts';

/**
 * Photos of a piece. The browser uploads the ORIGINAL with Supabase Storage's TUS resumable upload
 * (6 MB chunks, resumes after a dropped connection or a reload) into the private `originals`
 * bucket at `<user_id>/<upload_id>`, with the participant's own session: storage policies allow
 * only their own folder and nobody else ever reads it (it may carry GPS data). The server then
 * downloads it with the same session, re-encodes it from pixels (no EXIF, GPS, XMP, IPTC or ICC
 * survives), writes the master and derivatives to `masters`, inserts the row and deletes the
 * original. Every failure removes what was written: no row points at a missing object and no
 * object outlives a refused upload.
 */

export const MAX_PHOTOS = 8;
export const PHOTO_ROLES = [
	'front',
	'back',
	'detail',
	'in_progress',
	'maker_with_piece',
	'other'
] as const;
export type PhotoRole = (typeof PHOTO_ROLES)[number];

/** Uploads per participant and hour, counted by `take_quota` in the database. */
export const UPLOAD_QUOTA = { bucket: 'photo_uploads', limit: 60, window: '1 hour' } as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const EDITABLE = new Set(['draft', 'changes_requested']);

/** Derivative file extension per pipeline format, as in the seed's path convention. */
const EXTENSION = { jpeg: 'jpg', avif: 'avif', webp: 'webp' } as const;

export function isUuid(value: unknown): value is string {
	return typeof value === 'string' && UUID.test(value);
}

export function isPhotoRole(value: unknown): value is PhotoRole {
	return typeof value === 'string' && (PHOTO_ROLES as readonly string[]).includes(value);
}

export interface StoredPhoto {
	id: string;
	position: number;
	role: PhotoRole;
	width: number;
	height: number;
	dominantColor: string | null;
	/** A short-lived signed URL of a small scrubbed JPEG, for the participant's own preview. */
	previewUrl: string | null;
	/** What the upload carried and was removed, for the "location and camera data" note. */
	removed: { location: boolean; camera: boolean };
}

export interface ProcessUploadInput {
	/** The participant's client (RLS and storage policies decide). */
	supabase: SupabaseClient;
	/** Service role: only to write the `masters` bucket, which has no insert policy on purpose. */
	admin: SupabaseClient;
	userId: string;
	uploadId: unknown;
	pieceId: unknown;
	role: unknown;
}

// Serialises "count, pick a position, insert" per piece, so eight parallel uploads cannot make
// a ninth photo or collide on a position.
const pieceLocks = new Map<string, Promise<unknown>>();
async function withPieceLock<T>(pieceId: string, fn: () => Promise<T>): Promise<T> {
	const previous = pieceLocks.get(pieceId) ?? Promise.resolve();
	const run = previous.then(fn, fn);
	const tail = run.catch(() => undefined);
	pieceLocks.set(pieceId, tail);
	try {
		return await run;
	} finally {
		if (pieceLocks.get(pieceId) === tail) pieceLocks.delete(pieceId);
	}
}

/** The original's path; the upload id is a UUID the browser chose, never a file name. */
export function originalPath(userId: string, uploadId: string): string {
	return `${userId}/${uploadId}`;
}

/** An editable piece of the caller, or a PieceError. */
export async function requireEditablePiece(
	supabase: SupabaseClient,
	userId: string,
	pieceId: unknown
): Promise<{ id: string; status: string }> {
	if (!isUuid(pieceId)) throw new PieceError('piece_not_found', 404);
	const { data, error } = await supabase
		.from('pieces')
		.select('id, maker_id, status')
		.eq('id', pieceId)
		.maybeSingle();
	if (error) throw error;
	if (!data || data.maker_id !== userId) throw new PieceError('piece_not_found', 404);
	if (!EDITABLE.has(data.status)) throw new PieceError('piece_not_editable', 409);
	return { id: data.id, status: data.status };
}

async function photoCount(supabase: SupabaseClient, pieceId: string): Promise<number[]> {
	const { data, error } = await supabase
		.from('piece_photos')
		.select('position')
		.eq('piece_id', pieceId);
	if (error) throw error;
	return data.map((row) => row.position as number);
}

async function removeOriginal(input: ProcessUploadInput, path: string): Promise<void> {
	const own = await input.supabase.storage.from('originals').remove([path]);
	if (!own.error) return;
	// Service role as a last resort: an original left behind would keep its GPS data.
	await input.admin.storage.from('originals').remove([path]);
}

/**
 * Turns an uploaded original into a stored photo of the piece (see the module comment).
 *
 * @throws {PieceError} with a translatable code for every expected refusal.
 */
export async function processUpload(input: ProcessUploadInput): Promise<StoredPhoto> {
	const { supabase, admin, userId } = input;
	if (!isUuid(input.uploadId)) throw new PieceError('piece_upload_invalid');
	const path = originalPath(userId, input.uploadId);
	const written: string[] = [];
	// Set once the insert was sent: a lost answer leaves it unknown whether the row exists.
	let inserting: string | null = null;
	try {
		if (!isPhotoRole(input.role)) throw new PieceError('piece_role_invalid');
		const piece = await requireEditablePiece(supabase, userId, input.pieceId);
		const earlier = await processedBefore(supabase, piece.id, input.uploadId);
		if (earlier) {
			await removeOriginal(input, path);
			return earlier;
		}
		if ((await photoCount(supabase, piece.id)).length >= MAX_PHOTOS) {
			throw new PieceError('piece_too_many_photos', 409);
		}
		const quota = await supabase.rpc('take_quota', {
			p_bucket: UPLOAD_QUOTA.bucket,
			p_limit: UPLOAD_QUOTA.limit,
			p_window: UPLOAD_QUOTA.window
		});
		if (quota.error) {
			if (quota.error.message === 'quota_exceeded') {
				throw new PieceError('piece_quota_exceeded', 429);
			}
			throw quota.error;
		}

		const download = await supabase.storage.from('originals').download(path);
		if (download.error || !download.data) {
			// Storage answers a missing object with statusCode 404; anything else is a fault.
			const missing = (download.error as { statusCode?: string } | null)?.statusCode === '404';
			throw missing ? new PieceError('piece_upload_missing', 404) : download.error;
		}
		let image: ProcessedImage;
		try {
			image = await processImage(Buffer.from(await download.data.arrayBuffer()));
		} catch (error) {
			if (isImageError(error)) {
				throw new PieceError(error.code, error.code === 'image_busy' ? 503 : 422);
			}
			throw error;
		}

		// The photo keeps the upload's id, so a repeated request finds it (processedBefore).
		const photoId = input.uploadId;
		const folder = `${userId}/${piece.id}/${photoId}`;
		const variants: Record<string, Record<string, string>> = {};
		const files: { path: string; data: Buffer; type: string }[] = [
			{ path: `${folder}/master.jpg`, data: image.master.data, type: 'image/jpeg' }
		];
		for (const d of image.derivatives) {
			const ext = EXTENSION[d.format];
			const file = `${folder}/w${d.width}.${ext}`;
			(variants[ext] ??= {})[String(d.width)] = file;
			files.push({ path: file, data: d.data, type: `image/${d.format}` });
		}
		for (const file of files) {
			written.push(file.path);
			const { error } = await admin.storage
				.from('masters')
				// Overwrite: the folder is the upload's, and a failed earlier run may have left files in
				// it (singleFlight keeps runs of one upload apart; a finished one returned above).
				.upload(file.path, file.data, { contentType: file.type, upsert: true });
			if (error) throw error;
		}

		const position = await withPieceLock(piece.id, async () => {
			const positions = await photoCount(supabase, piece.id);
			if (positions.length >= MAX_PHOTOS) throw new PieceError('piece_too_many_photos', 409);
			const next = positions.length === 0 ? 0 : Math.max(...positions) + 1;
			inserting = photoId;
			const { error } = await supabase.from('piece_photos').insert({
				id: photoId,
				piece_id: piece.id,
				position: next,
				role: input.role,
				master_path: `${folder}/master.jpg`,
				variants,
				width: image.master.width,
				height: image.master.height,
				placeholder: image.placeholder.thumbhash,
				dominant_color: image.placeholder.dominant
			});
			if (error) throw error;
			return next;
		});
		written.length = 0;
		await removeOriginal(input, path);

		const smallest = Object.entries(variants.jpg ?? {}).sort((a, b) => +a[0] - +b[0])[0];
		const signed = smallest
			? await supabase.storage.from('masters').createSignedUrl(smallest[1], 3600)
			: null;
		const had = image.source.hadMetadata;
		return {
			id: photoId,
			position,
			role: input.role as PhotoRole,
			width: image.master.width,
			height: image.master.height,
			dominantColor: image.placeholder.dominant,
			previewUrl: signed?.data?.signedUrl ?? null,
			removed: { location: had.gps, camera: had.exif || had.xmp || had.iptc }
		};
	} catch (error) {
		if (written.length > 0 && (await undoInsert(supabase, inserting))) {
			await admin.storage.from('masters').remove(written);
		}
		// A refusal is final, so the original goes. A fault (Storage or database unreachable, busy)
		// is not: the original stays for the retry the client makes on 503, or for the sweeper.
		if ((isPieceError(error) && error.status < 500) || isQuotaFull(error)) {
			await removeOriginal(input, path);
			throw error;
		}
		if (isPieceError(error)) throw error;
		throw Object.assign(new PieceError('piece_upload_failed', 503), { cause: error });
	}
}

/**
 * The photo an earlier request already made of this upload (its answer was lost, or the browser
 * sent it again after a 5xx), so that sending an upload twice still makes one photo.
 */
async function processedBefore(
	supabase: SupabaseClient,
	pieceId: string,
	uploadId: string
): Promise<StoredPhoto | null> {
	const { data, error } = await supabase
		.from('piece_photos')
		.select('id, position, role, width, height, dominant_color, variants')
		.eq('id', uploadId)
		.eq('piece_id', pieceId)
		.maybeSingle();
	if (error) throw error;
	if (!data) return null;
	const jpg = (data.variants as Record<string, Record<string, string>>).jpg ?? {};
	const smallest = Object.entries(jpg).sort((a, b) => +a[0] - +b[0])[0];
	const signed = smallest
		? await supabase.storage.from('masters').createSignedUrl(smallest[1], 3600)
		: null;
	return {
		id: data.id as string,
		position: data.position as number,
		role: data.role as PhotoRole,
		width: data.width as number,
		height: data.height as number,
		dominantColor: data.dominant_color as string | null,
		previewUrl: signed?.data?.signedUrl ?? null,
		// Said by the first answer; a repeat cannot know any more (the original is gone).
		removed: { location: false, camera: false }
	};
}

/** The storage quota trigger's refusal (the endpoint answers it with 413), passed through. */
function isQuotaFull(error: unknown): boolean {
	const message = (error as { message?: unknown } | null)?.message;
	return typeof message === 'string' && message.includes('storage_quota_exceeded');
}

/**
 * Whether the files may go: true when no insert was sent, or the row is certainly gone. If the
 * database cannot say, the files stay (a row must never point at a missing object); the sweeper
 * removes them once no row names them.
 */
async function undoInsert(supabase: SupabaseClient, photoId: string | null): Promise<boolean> {
	if (!photoId) return true;
	const { error } = await supabase.from('piece_photos').delete().eq('id', photoId);
	return !error;
}

/**
 * Deletes a photo of an editable piece: the row with the participant's client (RLS decides), then
 * its files with the service role, since `masters` has no delete policy for participants.
 */
export async function deletePhoto(
	supabase: SupabaseClient,
	admin: SupabaseClient,
	userId: string,
	pieceId: string,
	photoId: unknown
): Promise<void> {
	await requireEditablePiece(supabase, userId, pieceId);
	if (!isUuid(photoId)) throw new PieceError('piece_not_found', 404);
	const { data, error } = await supabase
		.from('piece_photos')
		.delete()
		.eq('id', photoId)
		.eq('piece_id', pieceId)
		.select('master_path, variants');
	if (error) throw error;
	const row = data[0];
	if (!row) throw new PieceError('piece_not_found', 404);
	const paths = [
		row.master_path as string,
		...Object.values(row.variants as Record<string, Record<string, string>>).flatMap((byWidth) =>
			Object.values(byWidth)
		)
	];
	await admin.storage.from('masters').remove(paths);
}

/**
 * Applies a new order and roles: `order` lists the photo ids first to last. Positions are unique
 * per piece but the constraint is deferred, so the updates may pass through duplicates.
 */
export async function arrangePhotos(
	supabase: SupabaseClient,
	userId: string,
	pieceId: string,
	order: { id: string; role: string }[]
): Promise<void> {
	await requireEditablePiece(supabase, userId, pieceId);
	const positions = await photoCount(supabase, pieceId);
	if (order.length !== positions.length) throw new PieceError('piece_not_found', 404);
	for (const item of order) {
		if (!isUuid(item.id)) throw new PieceError('piece_not_found', 404);
		if (!isPhotoRole(item.role)) throw new PieceError('piece_role_invalid');
	}
	// Each update is its own statement (the Data API has no transaction), so first move every
	// photo out of the way, then into place.
	const offset = 1000;
	for (const [index, item] of order.entries()) {
		const { error } = await supabase
			.from('piece_photos')
			.update({ position: offset + index, role: item.role })
			.eq('id', item.id)
			.eq('piece_id', pieceId);
		if (error) throw error;
	}
	for (const [index, item] of order.entries()) {
		const { error } = await supabase
			.from('piece_photos')
			.update({ position: index })
			.eq('id', item.id)
			.eq('piece_id', pieceId);
		if (error) throw error;
	}
}
