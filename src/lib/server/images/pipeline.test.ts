import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { thumbHashToRGBA } from 'thumbhash';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	BLUE,
	CAMERA_MAKE,
	CAMERA_MODEL,
	CAMERA_SERIAL,
	OWNER_NAME,
	P3_LEFT,
	P3_RIGHT,
	RED,
	damagedJpeg,
	fixturePath,
	jpegWithPrivateMetadata,
	pixelFloodPng,
	withHeifDimensions,
	withJpegDimensions
} from '../../../../tests/fixtures/images/craft.ts';
import { LIMIT_INPUT_PIXELS, MASTER_MAX_EDGE } from './config.ts';
import { IMAGE_ERROR_CODES, ImageError, type ImageErrorCode } from './errors.ts';
import { exifHasGps } from './exif.ts';
import { generateTextileImage } from './generate.ts';
import { decodeHeic } from './heic.ts';
import {
	derivativeWidths,
	imageQueueStatus,
	processImage,
	type ProcessedImage
} from './pipeline.ts';

let textile: Buffer;
let workDir: string;
/** For tests about acceptance, not outputs: one small JPEG derivative. */
const quick = { formats: ['jpeg'], widths: [320] } as const;

beforeAll(async () => {
	textile = (await generateTextileImage({ width: 1280, height: 960, seed: 11 })).data;
	workDir = await mkdtemp(join(tmpdir(), 'images-test-'));
});

afterAll(async () => {
	await rm(workDir, { recursive: true, force: true });
});

async function refusal(input: Buffer | string): Promise<ImageErrorCode> {
	const error = await processImage(input).then(
		() => undefined,
		(e: unknown) => e
	);
	expect(error).toBeInstanceOf(ImageError);
	return (error as ImageError).code;
}

function allOutputs(result: ProcessedImage): Buffer[] {
	return [result.master.data, ...result.derivatives.map((d) => d.data)];
}

async function pixelAt(image: Buffer, x: number, y: number): Promise<number[]> {
	const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
	const i = (y * info.width + x) * info.channels;
	return [data[i], data[i + 1], data[i + 2]];
}

function near(actual: number[], expected: readonly number[], tolerance = 30): boolean {
	return actual.every((v, i) => Math.abs(v - expected[i]) <= tolerance);
}

/** No EXIF (which holds GPS), XMP, IPTC or orientation, and no identifying string in the bytes. */
async function expectScrubbed(out: Buffer): Promise<void> {
	const meta = await sharp(out).metadata();
	expect(meta.exif).toBeUndefined();
	expect(exifHasGps(meta.exif)).toBe(false);
	expect(meta.xmp).toBeUndefined();
	expect(meta.iptc).toBeUndefined();
	expect(meta.orientation).toBeUndefined();
	// GPS lives inside EXIF as numeric tags, so the EXIF header is what to look for; the
	// identifying strings must not survive anywhere in the bytes either.
	for (const secret of [
		'Exif\0\0',
		'http://ns.adobe.com',
		'xmpmeta',
		'Photoshop 3.0',
		'8BIM',
		OWNER_NAME,
		CAMERA_MAKE,
		CAMERA_MODEL,
		CAMERA_SERIAL
	]) {
		expect(out.includes(Buffer.from(secret, 'latin1')), secret).toBe(false);
	}
}

describe('processImage: accepted pictures', { timeout: 60_000 }, () => {
	it('produces a master, AVIF and JPEG derivatives for srcset, and a placeholder', async () => {
		const result = await processImage(textile);
		expect(result.source).toMatchObject({ format: 'jpeg', width: 1280, height: 960 });
		expect(result.master).toMatchObject({ width: 1280, height: 960, format: 'jpeg' });
		expect((await sharp(result.master.data).metadata()).format).toBe('jpeg');

		const byFormat = (f: string) => result.derivatives.filter((d) => d.format === f);
		for (const format of ['avif', 'jpeg'] as const) {
			const list = byFormat(format);
			expect(list.map((d) => d.width)).toEqual([320, 640, 960, 1280]);
			for (const d of list) {
				const meta = await sharp(d.data).metadata();
				expect(meta.format).toBe(format === 'avif' ? 'heif' : 'jpeg');
				expect([meta.width, meta.height]).toEqual([d.width, d.height]);
				expect(d.height).toBe(Math.round((d.width * 960) / 1280));
				expect(d.bytes).toBe(d.data.length);
			}
		}
		// AVIF is the point of having it: clearly smaller than the JPEG at the same width.
		expect(byFormat('avif')[3].bytes).toBeLessThan(byFormat('jpeg')[3].bytes);

		const hash = Buffer.from(result.placeholder.thumbhash, 'base64');
		expect(hash.length).toBeGreaterThan(5);
		expect(hash.length).toBeLessThan(40);
		const preview = thumbHashToRGBA(hash);
		expect(preview.w / preview.h).toBeCloseTo(4 / 3, 0);
		// The generated fabric is linen: a light, warm, unsaturated colour, not a thread colour.
		expect(result.placeholder.dominant).toMatch(/^#[0-9a-f]{6}$/);
		const [r, g, b] = [1, 3, 5].map((i) =>
			parseInt(result.placeholder.dominant.slice(i, i + 2), 16)
		);
		expect(r).toBeGreaterThan(140);
		expect(r >= g && g >= b).toBe(true);
		expect(r - b).toBeLessThan(70);
	});

	it('caps the private master at the long edge limit', async () => {
		const big = await sharp({
			create: { width: 5000, height: 3000, channels: 3, background: '#b22222' }
		})
			.jpeg()
			.toBuffer();
		const result = await processImage(big, quick);
		expect(Math.max(result.master.width, result.master.height)).toBe(MASTER_MAX_EDGE);
		expect(result.master.height).toBe(Math.round((3000 * MASTER_MAX_EDGE) / 5000));
	});

	it('accepts PNG, WebP and AVIF by their content, also from a file path', async () => {
		const png = await sharp(textile).png().toBuffer();
		const webp = await sharp(textile).webp().toBuffer();
		expect((await processImage(png, quick)).source.format).toBe('png');
		expect((await processImage(webp, quick)).source.format).toBe('webp');
		expect((await processImage(fixturePath('photo.avif'), quick)).source.format).toBe('avif');
		const onDisk = join(workDir, 'upload.bin');
		await writeFile(onDisk, textile);
		expect((await processImage(onDisk, quick)).master.width).toBe(1280);
	});

	it('accepts a 48 MP phone photo, which is why the pixel limit is 50 MP', async () => {
		expect(LIMIT_INPUT_PIXELS).toBeGreaterThanOrEqual(8064 * 6048);
		const photo = await sharp({
			create: { width: 8064, height: 6048, channels: 3, background: '#e2d8c4' }
		})
			.jpeg()
			.toBuffer();
		const result = await processImage(photo, quick);
		expect(result.source).toMatchObject({ width: 8064, height: 6048 });
		expect(result.master.width).toBe(MASTER_MAX_EDGE);
	});

	it('converts colours from an embedded profile (Display P3) to sRGB', async () => {
		const srgb = [40, 200, 90];
		const raw = Buffer.alloc(800 * 600 * 3);
		for (let i = 0; i < raw.length; i += 3) raw.set(srgb, i);
		// sharp converts to P3 and embeds the profile: the stored numbers are P3 values.
		const p3 = await sharp(raw, { raw: { width: 800, height: 600, channels: 3 } })
			.withIccProfile('p3')
			.png()
			.toBuffer();
		const stored = await sharp(p3, { ignoreIcc: true }).raw().toBuffer();
		expect(near([...stored.subarray(0, 3)], srgb, 10)).toBe(false);

		const result = await processImage(p3);
		expect(result.source.hadMetadata.icc).toBe(true);
		expect((await sharp(result.master.data).metadata()).icc).toBeUndefined();
		expect(near(await pixelAt(result.master.data, 400, 300), srgb, 6)).toBe(true);
	});
});

describe('processImage: metadata is removed (C27)', { timeout: 60_000 }, () => {
	it('applies the orientation, then strips EXIF, GPS, XMP and IPTC from every output', async () => {
		const input = await jpegWithPrivateMetadata(900, 700);
		const inputMeta = await sharp(input).metadata();
		expect(inputMeta).toMatchObject({ orientation: 6, width: 900, height: 700 });
		expect([inputMeta.exif, inputMeta.xmp, inputMeta.iptc].every(Boolean)).toBe(true);

		const result = await processImage(input);
		expect(result.source.hadMetadata).toEqual({
			exif: true,
			gps: true,
			xmp: true,
			iptc: true,
			icc: true
		});
		// Orientation 6 means "rotate 90° clockwise": the red left half becomes the top.
		expect(result.source).toMatchObject({ width: 700, height: 900 });
		expect(result.master).toMatchObject({ width: 700, height: 900 });
		expect(near(await pixelAt(result.master.data, 350, 100), RED)).toBe(true);
		expect(near(await pixelAt(result.master.data, 350, 800), BLUE)).toBe(true);

		const outputs = allOutputs(result);
		expect(outputs.length).toBe(1 + result.derivatives.length);
		for (const out of outputs) await expectScrubbed(out);
	});

	it('does not carry bytes appended after the image (JPEG/PHP polyglot) into outputs', async () => {
		const polyglot = Buffer.concat([textile, Buffer.from('<?php system($_GET["c"]); ?>')]);
		const result = await processImage(polyglot);
		for (const out of allOutputs(result)) expect(out.includes(Buffer.from('<?php'))).toBe(false);
	});

	it('reports no removed metadata for a clean picture', async () => {
		const result = await processImage(textile, quick);
		expect(Object.values(result.source.hadMetadata).some(Boolean)).toBe(false);
	});
});

describe('processImage: HEIC photos from phones (C28)', { timeout: 120_000 }, () => {
	it('accepts HEVC HEIC, which sharp itself cannot decode, by its content', async () => {
		// The prebuilt libvips reads HEIC headers but has no HEVC decoder: heic.ts decodes.
		expect(sharp.format.heif.input.fileSuffix).not.toContain('.heic');
		const result = await processImage(fixturePath('iphone-hevc.heic'), quick);
		expect(result.source).toMatchObject({ format: 'heic', width: 800, height: 600 });
		expect(result.master).toMatchObject({ width: 800, height: 600, format: 'jpeg' });
		// ImageMagick's gradient runs from #b22222 at the top to #e2d8c4 at the bottom.
		expect(near(await pixelAt(result.master.data, 400, 2), [0xb2, 0x22, 0x22], 12)).toBe(true);
		expect(near(await pixelAt(result.master.data, 400, 597), [0xe2, 0xd8, 0xc4], 12)).toBe(true);
	});

	it('removes location and camera data, and converts Display P3 to sRGB', async () => {
		const input = fixturePath('iphone-gps-p3.heic');
		const inputMeta = await sharp(input).metadata();
		expect(inputMeta).toMatchObject({ format: 'heif', compression: 'hevc' });
		expect(exifHasGps(inputMeta.exif)).toBe(true);
		expect(inputMeta.icc).toBeDefined();

		const result = await processImage(input);
		expect(result.source).toMatchObject({ format: 'heic', width: 1200, height: 900 });
		expect(result.source.hadMetadata).toMatchObject({ exif: true, gps: true, icc: true });
		expect(result.derivatives.map((d) => d.format)).toEqual(expect.arrayContaining(['avif']));
		for (const out of allOutputs(result)) await expectScrubbed(out);
		expect((await sharp(result.master.data).metadata()).icc).toBeUndefined();

		// The stored numbers are P3 values; only with the profile applied do they come out as the
		// sRGB colours the fixture was made from.
		const stored = await decodeHeic(await readFile(input), { maxPixels: 1e7, timeoutMs: 60_000 });
		const storedLeft = [
			...stored.data.subarray((450 * 1200 + 300) * 3, (450 * 1200 + 300) * 3 + 3)
		];
		expect(near(storedLeft, P3_LEFT, 8)).toBe(false);
		expect(near(await pixelAt(result.master.data, 300, 450), P3_LEFT, 8)).toBe(true);
		expect(near(await pixelAt(result.master.data, 900, 450), P3_RIGHT, 8)).toBe(true);
	});

	it('applies the rotation box once (the EXIF Orientation says the same and is ignored)', async () => {
		const input = fixturePath('iphone-rotated.heic');
		expect(exifHasGps((await sharp(input).metadata()).exif)).toBe(false);
		const result = await processImage(input, quick);
		// Stored 1200 × 900 with red left and blue right; irot 90° clockwise puts red on top.
		expect(result.source).toMatchObject({ format: 'heic', width: 900, height: 1200 });
		expect(result.master).toMatchObject({ width: 900, height: 1200 });
		expect(near(await pixelAt(result.master.data, 450, 100), RED)).toBe(true);
		expect(near(await pixelAt(result.master.data, 450, 1100), BLUE)).toBe(true);
		await expectScrubbed(result.master.data);
	});

	it('refuses a HEIC declaring too many pixels from its header, before decoding', async () => {
		const bomb = withHeifDimensions(await readFile(fixturePath('iphone-gps-p3.heic')), 9000, 7000);
		expect(9000 * 7000).toBeGreaterThan(LIMIT_INPUT_PIXELS);
		// Decoding would fail on the mismatch with the 1200 × 900 HEVC data (image_corrupt).
		expect(await refusal(bomb)).toBe('image_too_many_pixels');
		// The decoder checks the limit itself too, before decoding any pixel.
		const direct = await decodeHeic(bomb, { maxPixels: LIMIT_INPUT_PIXELS, timeoutMs: 60_000 })
			.then(() => undefined)
			.catch((e: unknown) => e);
		expect(direct).toMatchObject({ code: 'image_too_many_pixels' });
	});

	it('refuses a HEIC whose HEVC data is cut off, and ends a decode past its time limit', async () => {
		const heic = await readFile(fixturePath('iphone-gps-p3.heic'));
		expect(await refusal(heic.subarray(0, heic.length - 400))).toBe('image_corrupt');
		const late = await decodeHeic(heic, { maxPixels: LIMIT_INPUT_PIXELS, timeoutMs: 1 })
			.then(() => undefined)
			.catch((e: unknown) => e);
		expect(late).toMatchObject({ code: 'image_corrupt', message: expect.stringMatching(/1 ms/) });
	});

	it('keeps the event loop turning while a HEIC is decoded', async () => {
		let turns = 0;
		let spinning = true;
		const spin = () => {
			turns++;
			if (spinning) setImmediate(spin);
		};
		setImmediate(spin);
		await processImage(fixturePath('iphone-gps-p3.heic'), quick);
		spinning = false;
		expect(turns).toBeGreaterThan(20);
	});
});

describe('processImage: refusals', { timeout: 60_000 }, () => {
	it('rejects HTML, PHP, SVG and PDF bytes whatever their label (C20, C22)', async () => {
		const spoofed = {
			html: '<!doctype html><html><body><script>alert(1)</script></body></html>',
			php: '<?php echo shell_exec($_GET["c"]); ?>',
			svg: '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"><script>alert(1)</script><rect width="800" height="600"/></svg>',
			pdf: '%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF'
		};
		for (const [name, text] of Object.entries(spoofed)) {
			expect(await refusal(Buffer.from(text)), name).toBe('image_unsupported_type');
			const labelled = join(workDir, `${name}.jpg`);
			await writeFile(labelled, text);
			expect(await refusal(labelled), `${name}.jpg`).toBe('image_unsupported_type');
		}
	});

	it('refuses TIFF and GIF even when renamed .jpg (C29)', async () => {
		expect(await refusal(fixturePath('tiff-renamed.jpg'))).toBe('image_unsupported_type');
		expect(await refusal(await readFile(fixturePath('tiff-renamed.jpg')))).toBe(
			'image_unsupported_type'
		);
		expect(await refusal(fixturePath('animated.gif'))).toBe('image_unsupported_type');
	});

	it('blocks the unneeded decoders process-wide, not only inside processImage (C29)', async () => {
		for (const name of ['tiff-renamed.jpg', 'animated.gif']) {
			await expect(sharp(fixturePath(name)).raw().toBuffer()).rejects.toThrow(
				/unsupported image format/
			);
		}
		const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>');
		await expect(sharp(svg).png().toBuffer()).rejects.toThrow(/unsupported image format/);
	});

	it('refuses a pixel flood from its header, before decoding (C23)', async () => {
		const flood = pixelFloodPng(20_000, 20_000);
		expect(flood.length).toBeLessThan(200_000);
		expect(await refusal(flood)).toBe('image_too_many_pixels');
		const small = await sharp(textile).resize(320).jpeg().toBuffer();
		expect(await refusal(withJpegDimensions(small, 9000, 7000))).toBe('image_too_many_pixels');
	});

	it('rejects truncated and damaged JPEG and PNG (C25)', async () => {
		const png = await sharp(textile).png().toBuffer();
		expect(await refusal(textile.subarray(0, Math.floor(textile.length * 0.6)))).toBe(
			'image_corrupt'
		);
		expect(await refusal(textile.subarray(0, textile.length - 300))).toBe('image_corrupt');
		expect(await refusal(damagedJpeg(textile))).toBe('image_corrupt');
		expect(await refusal(png.subarray(0, Math.floor(png.length * 0.7)))).toBe('image_corrupt');
		expect(await refusal(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a]))).toBe('image_corrupt');
	});

	it('uses only the first frame of an animated WebP (C26)', async () => {
		const meta = await sharp(fixturePath('animated.webp')).metadata();
		expect(meta.pages).toBe(2);
		const result = await processImage(fixturePath('animated.webp'));
		expect(result.master).toMatchObject({ width: 800, height: 600 });
		// Frame one is red, frame two blue.
		expect(near(await pixelAt(result.master.data, 400, 300), [200, 30, 30])).toBe(true);
	});

	it('refuses pictures too small for the gallery', async () => {
		const tiny = await sharp(textile).resize(300).jpeg().toBuffer();
		expect(await refusal(tiny)).toBe('image_too_small');
	});

	it('refuses files above the byte limit before decoding, and empty files', async () => {
		const error = await processImage(textile, { maxInputBytes: textile.length - 1 }).catch(
			(e: unknown) => e
		);
		expect(error).toMatchObject({ code: 'image_too_large_bytes' });
		expect(await refusal(Buffer.alloc(0))).toBe('image_unsupported_type');
	});

	it('exports every code it can throw', () => {
		expect(IMAGE_ERROR_CODES).toEqual(
			expect.arrayContaining([
				'image_unsupported_type',
				'image_heic_unsupported',
				'image_too_many_pixels',
				'image_too_large_bytes',
				'image_too_small',
				'image_corrupt',
				'image_busy'
			])
		);
	});
});

describe('processing runs in a bounded queue off the event loop', { timeout: 60_000 }, () => {
	it('queues a burst and reports it for a "processing" status', async () => {
		const burst = [1, 2, 3, 4, 5, 6].map(() => processImage(textile, quick));
		const during = imageQueueStatus();
		expect(during.running + during.queued).toBe(6);
		expect(during.running).toBeGreaterThanOrEqual(1);
		expect(during.running).toBeLessThan(6);
		await Promise.all(burst);
		expect(imageQueueStatus()).toEqual({ running: 0, queued: 0 });
	});

	it('keeps the event loop turning while an image is processed', async () => {
		let turns = 0;
		let spinning = true;
		const spin = () => {
			turns++;
			if (spinning) setImmediate(spin);
		};
		setImmediate(spin);
		await processImage(textile);
		spinning = false;
		expect(turns).toBeGreaterThan(20);
	});
});

describe('process-wide sharp settings', () => {
	it('uses one libvips thread per task and no operation cache', () => {
		expect(sharp.concurrency()).toBe(1);
		expect(sharp.cache()).toMatchObject({ memory: { max: 0 }, items: { max: 0 } });
	});
});

describe('derivativeWidths', { timeout: 60_000 }, () => {
	const steps = [320, 640, 960, 1280, 1920];
	it('keeps the steps below a large master', () => {
		expect(derivativeWidths(4096, steps)).toEqual(steps);
	});
	it('ends with the master width instead of a near-duplicate step', () => {
		expect(derivativeWidths(1000, steps)).toEqual([320, 640, 1000]);
		expect(derivativeWidths(1920, steps)).toEqual([320, 640, 960, 1280, 1920]);
		expect(derivativeWidths(300, steps)).toEqual([300]);
	});
});
