import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { strFromU8, unzipSync } from 'fflate';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
	CAMERA_MAKE,
	OWNER_NAME,
	jpegWithPrivateMetadata
} from '../../../../tests/fixtures/images/craft.ts';
import { exifHasGps } from '../images/exif.ts';
import {
	SHARE_SIZES,
	buildShareKit,
	captionText,
	renderShareImage,
	renderText,
	type ShareKitText
} from './render.ts';

const REFERENCE = fileURLToPath(
	new URL('../../../../tests/fixtures/share/arabic-title.png', import.meta.url)
);
const ARABIC_TITLE = 'تطريز فلسطيني من جدتي';

const arabic: ShareKitText = {
	language: 'ar',
	title: ARABIC_TITLE,
	caption: 'غرز حمراء وسوداء على الكتان، كما كانت النساء يطرزن منذ مئة عام. '.repeat(12),
	credit: 'بيد \u2068Olena K.\u2069',
	workshop: 'الورشة: \u2068Nähwerkstatt Johannstadt\u2069',
	shortUrl: 'gallery.example.org/ar/gallery',
	pieceUrl: 'https://gallery.example.org/ar/pieces/6f1c',
	alt: 'قطعة قماش مطرزة',
	labels: { alt: 'النص البديل', link: 'الرابط' }
};

/** The text as grey levels on white, for comparing renderings. */
async function grey(png: Buffer | string) {
	const { data, info } = await sharp(png)
		.flatten({ background: '#ffffff' })
		.greyscale()
		.raw()
		.toBuffer({ resolveWithObject: true });
	return { data, width: info.width, height: info.height };
}

/** Mean absolute grey-level difference over the common area, plus 255 per missing pixel. */
function difference(a: Awaited<ReturnType<typeof grey>>, b: Awaited<ReturnType<typeof grey>>) {
	const width = Math.min(a.width, b.width);
	const height = Math.min(a.height, b.height);
	let sum = 0;
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			sum += Math.abs(a.data[y * a.width + x] - b.data[y * b.width + x]);
		}
	}
	const all = Math.max(a.width * a.height, b.width * b.height);
	return (sum + (all - width * height) * 255) / all;
}

const titleStyle = { language: 'ar', size: 48, bold: true, width: 900 } as const;

describe('Arabic text is shaped and right-to-left', { timeout: 60_000 }, () => {
	it('matches the reference rendering of an Arabic title, within a tolerance', async () => {
		const rendered = await renderText(ARABIC_TITLE, titleStyle);
		if (process.env.UPDATE_SHARE_REFERENCE) {
			// Made once, looked at, committed; remade (and looked at again) only after a font change.
			await writeFile(REFERENCE, await sharp(rendered.data).png().toBuffer());
		}
		expect(existsSync(REFERENCE)).toBe(true);
		const reference = await grey(REFERENCE);
		const actual = await grey(rendered.data);
		expect(Math.abs(actual.width - reference.width)).toBeLessThanOrEqual(2);
		expect(Math.abs(actual.height - reference.height)).toBeLessThanOrEqual(2);
		// Anti-aliasing may differ between FreeType builds; the glyphs may not.
		expect(difference(actual, reference)).toBeLessThan(6);
	});

	it('differs clearly from the same letters unjoined, so shaping really happens', async () => {
		// U+200C (zero-width non-joiner) between letters forces their isolated forms.
		const isolated = await renderText([...ARABIC_TITLE].join('\u200c'), titleStyle);
		const shaped = await grey((await renderText(ARABIC_TITLE, titleStyle)).data);
		const unshaped = await grey(isolated.data);
		// Isolated forms are wider than joined ones, and the pixels differ a lot more than the
		// tolerance of the reference comparison.
		expect(unshaped.width).toBeGreaterThan(shaped.width * 1.1);
		expect(difference(shaped, unshaped)).toBeGreaterThan(20);
	});

	it('renders user text as text, not as Pango markup', async () => {
		const plain = await renderText('<span foreground="red">x</span> & <b>y', {
			language: 'de',
			size: 30,
			width: 900
		});
		const { data, info } = await sharp(plain.data).raw().toBuffer({ resolveWithObject: true });
		const channels = info.channels;
		// Escaped: the tags are drawn as characters (wide), and nothing is drawn red.
		expect(plain.width).toBeGreaterThan(400);
		let red = 0;
		for (let i = 0; i < data.length; i += channels) {
			if (data[i + 3] > 128 && data[i] > 150 && data[i + 1] < 80) red++;
		}
		expect(red).toBe(0);
	});
});

describe('share images and kit', { timeout: 120_000 }, () => {
	it('makes 4:5 and story JPEGs without the photo’s EXIF, GPS or owner (C27)', async () => {
		const photo = await jpegWithPrivateMetadata(1200, 900);
		expect(exifHasGps((await sharp(photo).metadata()).exif)).toBe(true);
		for (const format of ['feed', 'story'] as const) {
			const image = await renderShareImage(photo, arabic, format);
			const meta = await sharp(image).metadata();
			expect([meta.format, meta.width, meta.height]).toEqual([
				'jpeg',
				SHARE_SIZES[format].width,
				SHARE_SIZES[format].height
			]);
			expect(meta.exif).toBeUndefined();
			expect(exifHasGps(meta.exif)).toBe(false);
			expect(meta.xmp).toBeUndefined();
			expect(meta.iptc).toBeUndefined();
			for (const secret of ['Exif\0\0', OWNER_NAME, CAMERA_MAKE]) {
				expect(image.includes(Buffer.from(secret, 'latin1')), secret).toBe(false);
			}
		}
	});

	it('writes caption.txt with the same words, the address and the alt text', () => {
		const text = captionText({ ...arabic, caption: 'غرز حمراء' });
		expect(text.split('\n')).toEqual([
			ARABIC_TITLE,
			'',
			'غرز حمراء',
			'',
			arabic.credit,
			arabic.workshop,
			`الرابط: \u2066${arabic.pieceUrl}\u2069`,
			'',
			'النص البديل: قطعة قماش مطرزة',
			''
		]);
	});

	it('packs both images and caption.txt into a ZIP', async () => {
		const photo = await sharp({
			create: { width: 1600, height: 1200, channels: 3, background: '#b22222' }
		})
			.jpeg()
			.toBuffer();
		const zip = unzipSync(
			await buildShareKit(photo, { ...arabic, language: 'de', title: 'Tisch' })
		);
		expect(Object.keys(zip).sort()).toEqual(['caption.txt', 'share-4x5.jpg', 'share-story.jpg']);
		expect([...zip['caption.txt'].subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		expect(strFromU8(zip['caption.txt']).startsWith('Tisch\n')).toBe(true);
		expect((await sharp(Buffer.from(zip['share-story.jpg'])).metadata()).height).toBe(1920);
	});
});
