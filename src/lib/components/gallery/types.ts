/** Shapes the gallery pages get from `#lib/server/gallery`: ready to render, no database names. */

export interface ImageSource {
	type: 'image/avif' | 'image/webp' | 'image/jpeg';
	srcset: string;
}

export interface GalleryPhoto {
	id: string;
	role: string;
	width: number;
	height: number;
	/** ThumbHash (base64) for a blurred preview while the picture loads. */
	placeholder: string | null;
	dominantColor: string | null;
	alt: { text: string; lang: string } | null;
	/** Modern formats first; the JPEG fallback is `src`/`srcset`. */
	sources: ImageSource[];
	src: string | null;
	srcset: string;
	/** The widest derivative, for zooming into stitches. */
	largest: string | null;
}

export interface PieceText {
	language: string;
	title: string;
	caption: string | null;
	provenance: 'original' | 'translated_by_maker' | 'translated_by_volunteer' | 'machine_translated';
	/** Safe HTML rendered from the stored story, only on the piece page. */
	storyHtml?: string | null;
}

export interface GalleryPiece {
	id: string;
	publishedAt: string | null;
	originalLanguage: string;
	attribution: string | null;
	workshop: { slug: string; title: string } | null;
	/** Every text the piece has, original first. */
	texts: PieceText[];
	/** The text to show a reader of the current UI language (theirs, else the original). */
	shown: PieceText;
	photos: GalleryPhoto[];
}

/** A filtered or searched view of the gallery; every field comes from (and goes to) the URL. */
export interface GalleryView {
	workshop?: string;
	theme?: string;
	lang?: string;
	q?: string;
}

export interface Facet {
	value: string;
	label: string;
}

/** One printed exhibition label. */
export interface ExhibitionLabel {
	id: string;
	/** The texts to print, in the chosen order; the original stands in when none was chosen. */
	texts: Pick<PieceText, 'language' | 'title' | 'caption'>[];
	attribution: string | null;
	workshop: string | null;
	/** QR code (inline SVG) of the piece page's absolute URL. */
	qrSvg: string;
}

/** A kiosk slideshow: everything it shows, so it keeps going without the network. */
export interface KioskShow {
	title: string;
	slides: {
		id: string;
		/** One JPEG per piece (the widest derivative), preloaded as a blob. */
		image: {
			src: string;
			width: number;
			height: number;
			color: string | null;
			alt: { text: string; lang: string } | null;
		};
		texts: Pick<PieceText, 'language' | 'title' | 'caption'>[];
		originalLanguage: string;
		attribution: string | null;
		workshop: string | null;
	}[];
}
