import { strToU8, zipSync } from 'fflate';
import sharp, { type OverlayOptions } from 'sharp';
import { languageDirection } from '#lib/components/gallery/text-language.ts';
import { configureSharp } from '../images/config.ts';

configureSharp();

/** The words of a share kit, all in the piece's own language except the names. */
export interface ShareKitText {
	/** BCP-47 tag of the piece's original texts. */
	language: string;
	title: string;
	caption: string | null;
	/** "by Olena K." / "Anonymous maker", already worded in the piece's language. */
	credit: string;
	workshop: string | null;
	/** Shown on the images (host and path, no scheme), e.g. `gallery.example.org/ar/gallery`. */
	shortUrl: string;
	/** The piece's full public address, for the post's text. */
	pieceUrl: string;
	/** Alt text of the photo for the platform's accessibility field. */
	alt: string | null;
	/** Label words in the piece's language ("Alt text", "Link") for caption.txt. */
	labels: { alt: string; link: string };
}

export type ShareFormat = 'feed' | 'story';

/** Instagram's portrait feed post (4:5) and story (9:16), at the width it stores. */
export const SHARE_SIZES: Record<ShareFormat, { width: number; height: number }> = {
	feed: { width: 1080, height: 1350 },
	story: { width: 1080, height: 1920 }
};

const FONT_DIR = '/usr/share/fonts/truetype/noto';
const LINEN = '#f4efe6';
const INK = '#2b2521';
const MUTED = '#5f554c';
const ACCENT = '#7a2e1f';
const MARGIN = 60;

interface Layout {
	photoTop: number;
	photoHeight: number;
	titleSize: number;
	titleLines: number;
	captionSize: number;
	captionLines: number;
	footerSize: number;
}

/** Photo on top; title, caption and the credit block below, on linen. */
const LAYOUTS: Record<ShareFormat, Layout> = {
	feed: {
		photoTop: MARGIN,
		photoHeight: 800,
		titleSize: 46,
		titleLines: 2,
		captionSize: 30,
		captionLines: 3,
		footerSize: 26
	},
	// Instagram covers the top ~250 px and bottom ~300 px of a story with its own controls.
	story: {
		photoTop: 220,
		photoHeight: 1000,
		titleSize: 54,
		titleLines: 2,
		captionSize: 34,
		captionLines: 5,
		footerSize: 30
	}
};

/**
 * Noto fonts by script: Noto Sans covers Latin (German) and Cyrillic (Ukrainian), Noto Sans
 * Arabic covers Arabic and Persian. Pango shapes the text with HarfBuzz (joined Arabic letters,
 * lam-alef ligatures) and orders it with FriBidi; the families stay listed as fallbacks so a Latin
 * name inside an Arabic title still finds its glyphs.
 */
function fontFor(language: string, bold: boolean): { family: string; file: string } {
	const weight = bold ? 'Bold' : 'Regular';
	return languageDirection(language) === 'rtl'
		? { family: 'Noto Sans Arabic, Noto Sans', file: `${FONT_DIR}/NotoSansArabic-${weight}.ttf` }
		: { family: 'Noto Sans, Noto Sans Arabic', file: `${FONT_DIR}/NotoSans-${weight}.ttf` };
}

/** Pango markup is always on in sharp's text input: user text must not be read as markup. */
function escapeMarkup(text: string): string {
	return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export interface TextStyle {
	language: string;
	size: number;
	bold?: boolean;
	colour?: string;
	width: number;
}

/**
 * One block of text as a transparent PNG, wrapped at word boundaries within `width`. Alignment is
 * Pango's "left", which Pango turns into "right" for a right-to-left paragraph: each paragraph
 * starts on its own side, as its readers expect.
 */
export async function renderText(
	text: string,
	style: TextStyle
): Promise<{ data: Buffer; width: number; height: number }> {
	const font = fontFor(style.language, style.bold ?? false);
	const { data, info } = await sharp({
		text: {
			text: `<span foreground="${style.colour ?? INK}">${escapeMarkup(text)}</span>`,
			font: `${font.family} ${style.bold ? 'Bold ' : ''}${style.size}`,
			fontfile: font.file,
			width: style.width,
			dpi: 72,
			rgba: true,
			wrap: 'word',
			align: 'left'
		}
	})
		.png()
		.toBuffer({ resolveWithObject: true });
	return { data, width: info.width, height: info.height };
}

/**
 * Renders `text`, shortened at a word boundary with "…" until it fits `maxHeight` (a long caption
 * must not push the credit off the picture). Binary search over the number of words kept.
 */
async function fitText(text: string, style: TextStyle, maxHeight: number) {
	const whole = await renderText(text, style);
	if (whole.height <= maxHeight) return whole;
	const words = text.split(/\s+/).filter(Boolean);
	let low = 1;
	let high = words.length - 1;
	let best = await renderText(`${words[0]}…`, style);
	while (low <= high) {
		const middle = Math.floor((low + high) / 2);
		const attempt = await renderText(`${words.slice(0, middle).join(' ')}…`, style);
		if (attempt.height <= maxHeight) {
			best = attempt;
			low = middle + 1;
		} else {
			high = middle - 1;
		}
	}
	return best;
}

/** Line height of Noto at `size` px, as Pango lays it out (Arabic needs more room). */
function lineHeight(language: string, size: number): number {
	return Math.ceil(size * (languageDirection(language) === 'rtl' ? 1.7 : 1.4));
}

/** The photo whole (never cropped: it is someone's work) over a blurred, dimmed fill of itself. */
async function photoPanel(photo: Buffer, width: number, height: number): Promise<Buffer> {
	const fill = await sharp(photo)
		.resize({ width, height, fit: 'cover' })
		.blur(24)
		.modulate({ brightness: 0.8 })
		.raw()
		.toBuffer({ resolveWithObject: true });
	const fitted = await sharp(photo)
		.resize({ width, height, fit: 'inside', withoutEnlargement: false })
		.png()
		.toBuffer({ resolveWithObject: true });
	return sharp(fill.data, { raw: { width, height, channels: fill.info.channels } })
		.composite([
			{
				input: fitted.data,
				left: Math.round((width - fitted.info.width) / 2),
				top: Math.round((height - fitted.info.height) / 2)
			}
		])
		.png()
		.toBuffer();
}

/**
 * One share image as JPEG: the photo, the title and caption in the piece's language and direction,
 * then the credit, the workshop and the gallery's address. sharp writes no metadata unless asked,
 * so no EXIF or location from the original photo reaches the file.
 */
export async function renderShareImage(
	photo: Buffer,
	text: ShareKitText,
	format: ShareFormat
): Promise<Buffer> {
	const { width, height } = SHARE_SIZES[format];
	const layout = LAYOUTS[format];
	const inner = width - 2 * MARGIN;
	const rtl = languageDirection(text.language) === 'rtl';
	const place = (blockWidth: number) => (rtl ? width - MARGIN - blockWidth : MARGIN);
	const layers: OverlayOptions[] = [
		{
			input: await photoPanel(photo, inner, layout.photoHeight),
			left: MARGIN,
			top: layout.photoTop
		}
	];

	const footer = [text.credit, text.workshop].filter((line): line is string => Boolean(line));
	const footerStyle = { language: text.language, size: layout.footerSize, colour: MUTED };
	const footerBlocks = await Promise.all(
		footer.map((line) =>
			fitText(line, { ...footerStyle, width: inner }, lineHeight(text.language, layout.footerSize))
		)
	);
	// An address reads left to right in every language; isolated so it does not reorder the line.
	const url = await renderText(`\u2066${text.shortUrl}\u2069`, {
		...footerStyle,
		language: 'en',
		colour: ACCENT,
		bold: true,
		width: inner
	});
	const bottom = height - (format === 'story' ? 300 : MARGIN);
	let footerTop = bottom - url.height;
	layers.push({ input: url.data, left: place(url.width), top: footerTop });
	for (const block of footerBlocks.reverse()) {
		footerTop -= block.height + Math.round(layout.footerSize * 0.5);
		layers.push({ input: block.data, left: place(block.width), top: footerTop });
	}

	let top = layout.photoTop + layout.photoHeight + 40;
	const title = await fitText(
		text.title,
		{ language: text.language, size: layout.titleSize, bold: true, width: inner },
		layout.titleLines * lineHeight(text.language, layout.titleSize)
	);
	layers.push({ input: title.data, left: place(title.width), top });
	top += title.height + Math.round(layout.captionSize * 0.8);
	if (text.caption) {
		const room = Math.min(
			layout.captionLines * lineHeight(text.language, layout.captionSize),
			footerTop - 24 - top
		);
		if (room > layout.captionSize) {
			const caption = await fitText(
				text.caption,
				{ language: text.language, size: layout.captionSize, width: inner },
				room
			);
			layers.push({ input: caption.data, left: place(caption.width), top });
		}
	}

	return sharp({ create: { width, height, channels: 3, background: LINEN } })
		.composite(layers)
		.jpeg({ quality: 88, chromaSubsampling: '4:4:4' })
		.toBuffer();
}

/**
 * caption.txt: the same words as the images, the piece's address and the alt text, ready to paste
 * into the post. Unicode isolates keep the address and names in order inside right-to-left text.
 */
export function captionText(text: ShareKitText): string {
	const lines = [text.title];
	if (text.caption) lines.push('', text.caption);
	lines.push('', text.credit);
	if (text.workshop) lines.push(text.workshop);
	lines.push(`${text.labels.link}: \u2066${text.pieceUrl}\u2069`);
	if (text.alt) lines.push('', `${text.labels.alt}: ${text.alt}`);
	return `${lines.join('\n')}\n`;
}

/** The kit as a ZIP: both images and caption.txt (UTF-8 with BOM, so Windows editors agree). */
export async function buildShareKit(photo: Buffer, text: ShareKitText): Promise<Uint8Array> {
	const [feed, story] = await Promise.all([
		renderShareImage(photo, text, 'feed'),
		renderShareImage(photo, text, 'story')
	]);
	// JPEGs are compressed already: stored, not deflated again.
	return zipSync(
		{
			'share-4x5.jpg': [feed, { level: 0 }],
			'share-story.jpg': [story, { level: 0 }],
			'caption.txt': strToU8(`\ufeff${captionText(text)}`)
		},
		{ mtime: new Date('2026-01-01T00:00:00Z') }
	);
}
