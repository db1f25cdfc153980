import * as env from '$app/env/public';
import type { GalleryPhoto, ImageSource } from '#lib/components/gallery/types.ts';

export interface PhotoRow {
	id: string;
	position: number;
	role: string;
	width: number;
	height: number;
	placeholder: string | null;
	dominant_color: string | null;
	alt_text: Record<string, string> | null;
	/** {"avif": {"480": "<path>"}, "webp": …, "jpg"|"jpeg": …} in the public-media bucket. */
	public_variants: Record<string, Record<string, string>> | null;
}

const MIME: Record<string, ImageSource['type']> = {
	avif: 'image/avif',
	webp: 'image/webp',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg'
};
/** `<source>` order: the browser takes the first type it supports. */
const SOURCE_ORDER: ImageSource['type'][] = ['image/avif', 'image/webp'];

/** Public URL of an object in the public-media bucket (served by Storage, cacheable forever). */
export function publicMediaUrl(path: string): string {
	const base = (env.PUBLIC_SUPABASE_URL ?? '').replace(/\/$/, '');
	const encoded = path.split('/').map(encodeURIComponent).join('/');
	return `${base}/storage/v1/object/public/public-media/${encoded}`;
}

function srcsetOf(byWidth: Record<string, string>): { srcset: string; widest: string | null } {
	const entries = Object.entries(byWidth)
		.map(([width, path]) => [Number(width), path] as const)
		.filter(([width]) => Number.isFinite(width) && width > 0)
		.sort((a, b) => a[0] - b[0]);
	return {
		srcset: entries.map(([width, path]) => `${publicMediaUrl(path)} ${width}w`).join(', '),
		widest: entries.length > 0 ? publicMediaUrl(entries[entries.length - 1][1]) : null
	};
}

/** A photo row as the components need it: srcsets per format, alt text in the best language. */
export function galleryPhoto(
	row: PhotoRow,
	locale: string,
	originalLanguage: string
): GalleryPhoto {
	const sources: ImageSource[] = [];
	let fallback: { srcset: string; widest: string | null; smallest: string | null } = {
		srcset: '',
		widest: null,
		smallest: null
	};
	for (const [format, byWidth] of Object.entries(row.public_variants ?? {})) {
		const type = MIME[format];
		if (!type) continue;
		const { srcset, widest } = srcsetOf(byWidth);
		if (type === 'image/jpeg') {
			const first = Object.entries(byWidth).sort((a, b) => Number(a[0]) - Number(b[0]))[0];
			fallback = { srcset, widest, smallest: first ? publicMediaUrl(first[1]) : null };
		} else if (srcset) sources.push({ type, srcset });
	}
	sources.sort((a, b) => SOURCE_ORDER.indexOf(a.type) - SOURCE_ORDER.indexOf(b.type));
	const alt = row.alt_text ?? {};
	const altLang = alt[locale]
		? locale
		: alt[originalLanguage]
			? originalLanguage
			: Object.keys(alt)[0];
	return {
		id: row.id,
		role: row.role,
		width: row.width,
		height: row.height,
		placeholder: row.placeholder,
		dominantColor: row.dominant_color,
		alt: altLang ? { text: alt[altLang], lang: altLang } : null,
		sources,
		src: fallback.smallest,
		srcset: fallback.srcset,
		largest: fallback.widest
	};
}
