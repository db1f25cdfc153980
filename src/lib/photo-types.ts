/**
 * What the photo picker offers and the upload queue lets through before sending. The server
 * decides by decoding (src/lib/server/images); these only spare a participant a doomed upload.
 */
export const PHOTO_TYPES = [
	'image/jpeg',
	'image/png',
	'image/webp',
	'image/avif',
	'image/heic',
	'image/heif',
	// What some systems call a HEIC with more than one picture (bursts, Live Photos): the first is used.
	'image/heic-sequence',
	'image/heif-sequence'
] as const;

/**
 * The `accept` of the file inputs. `image/*` alone hides .heic files in some desktop file dialogs
 * (Windows and Linux often do not map the extension to a type), so the extensions are named too.
 */
export const PHOTO_ACCEPT = ['image/*', '.heic', '.heif', 'image/heic', 'image/heif'].join(',');

const HEIF_NAME = /\.(heic|heif|hif)$/i;

/**
 * True for a file that may be a photo: a known image type, no type at all, or a HEIC/HEIF name
 * with a generic type (browsers without a HEIC mapping report `application/octet-stream`).
 */
export function mayBePhoto(file: { type: string; name: string }): boolean {
	if (file.type === '') return true;
	if ((PHOTO_TYPES as readonly string[]).includes(file.type)) return true;
	return HEIF_NAME.test(file.name) && file.type === 'application/octet-stream';
}

/**
 * The content type to store the original under. The `originals` bucket takes only the types it
 * lists (JPEG, PNG, WebP, AVIF, HEIC, HEIF), and the label is all it checks: the server decides by
 * decoding. A HEIC that the browser calls nothing, `application/octet-stream` or a
 * `…-sequence` is labelled by its family, so it is not refused at the bucket.
 */
export function uploadContentType(file: { type: string; name: string }): string {
	if (file.type === 'image/heic-sequence') return 'image/heic';
	if (file.type === 'image/heif-sequence') return 'image/heif';
	if (file.type !== '' && file.type !== 'application/octet-stream') return file.type;
	if (/\.heic$/i.test(file.name)) return 'image/heic';
	if (/\.(heif|hif)$/i.test(file.name)) return 'image/heif';
	return file.type || 'application/octet-stream';
}
