import { randomBytes } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';
import { publicMediaPaths, removePublicMedia } from '../participant/deletion';

/*
 * Public copies of a published piece's derivatives. `public-media` is readable by anyone and
 * writable only by the service role, so `admin` (the service-role client) does the copying and
 * deleting; which piece and photos are meant always comes from rows the staff member's own client
 * could read.
 */

type Variants = Record<string, Record<string, string>>;

export interface PhotoVariants {
	id: string;
	variants: Variants;
}

/** A fresh unguessable folder per publication: 128 random bits, so old URLs never come back. */
function newToken(): string {
	return randomBytes(16).toString('hex');
}

/**
 * Copies every derivative of the given photos from `masters` to `public-media` under
 * `<token>/<photo_id>/<file>` and returns the paths per photo. On any failure the copies made so
 * far are removed and the error is rethrown, so nothing is left behind.
 */
export async function copyToPublic(
	admin: SupabaseClient,
	photos: PhotoVariants[]
): Promise<Map<string, Variants>> {
	const token = newToken();
	const result = new Map<string, Variants>();
	const copied: string[] = [];
	try {
		for (const photo of photos) {
			const publicVariants: Variants = {};
			for (const [format, byWidth] of Object.entries(photo.variants ?? {})) {
				for (const [width, source] of Object.entries(byWidth ?? {})) {
					const file = source.split('/').pop() ?? `w${width}.${format}`;
					const target = `${token}/${photo.id}/${file}`;
					const { error } = await admin.storage
						.from('masters')
						.copy(source, target, { destinationBucket: 'public-media' });
					if (error) throw error;
					copied.push(target);
					(publicVariants[format] ??= {})[width] = target;
				}
			}
			result.set(photo.id, publicVariants);
		}
	} catch (error) {
		await removePublicMedia(admin, copied).catch(() => undefined);
		throw error;
	}
	return result;
}

/** Points each photo row at its public copies (service role: the column is not granted to anyone). */
export async function writePublicVariants(
	admin: SupabaseClient,
	variants: Map<string, Variants>
): Promise<void> {
	for (const [photoId, publicVariants] of variants) {
		const { error } = await admin
			.from('piece_photos')
			.update({ public_variants: publicVariants })
			.eq('id', photoId);
		if (error) throw error;
	}
}

/** Every public path in a set of copies, for cleaning up. */
export function copiedPaths(variants: Map<string, Variants>): string[] {
	return [...variants.values()].flatMap((v) => Object.values(v).flatMap((w) => Object.values(w)));
}

export { publicMediaPaths, removePublicMedia };
// The piece's voice note goes public with its photos (see pieces/voice.ts).
export { publishVoiceNote } from '../pieces/voice';
