import { readFile, stat } from 'node:fs/promises';
import sharp, { type Metadata, type OutputInfo, type Sharp, type SharpOptions } from 'sharp';
import { rgbaToThumbHash } from 'thumbhash';
import {
	ALLOWED_FORMATS,
	AVIF_FAST_FROM_WIDTH,
	DERIVATIVE_FORMATS,
	DERIVATIVE_WIDTHS,
	ENCODER_SETTINGS,
	HEIC_DECODE_TIMEOUT_MS,
	HEIC_JOBS,
	IMAGE_JOBS,
	IMAGE_MAX_QUEUED,
	IMAGE_TASKS,
	LIMIT_INPUT_PIXELS,
	MASTER_MAX_EDGE,
	MAX_INPUT_BYTES,
	MIN_LONG_EDGE,
	MIN_SHORT_EDGE,
	configureSharp,
	type DerivativeFormat
} from './config.ts';
import { ImageError, isImageError } from './errors.ts';
import { exifHasGps } from './exif.ts';
import { decodeHeic } from './heic.ts';
import { Limiter } from './pool.ts';

configureSharp();

export interface ProcessImageOptions {
	/** Derivative widths before capping at the master's width. */
	widths?: readonly number[];
	formats?: readonly DerivativeFormat[];
	/** Tests use this to hit the byte limit without big buffers. */
	maxInputBytes?: number;
}

export interface EncodedMaster {
	data: Buffer;
	width: number;
	height: number;
	format: 'jpeg';
}

export interface Derivative {
	width: number;
	height: number;
	format: DerivativeFormat;
	data: Buffer;
	bytes: number;
}

export interface ProcessedImage {
	/** Private: oriented, sRGB, no metadata, long edge ≤ MASTER_MAX_EDGE. */
	master: EncodedMaster;
	/** Public `srcset` candidates, grouped by format in DERIVATIVE_FORMATS order, widths ascending. */
	derivatives: Derivative[];
	placeholder: {
		/** ThumbHash (https://evanw.github.io/thumbhash/), base64, ~25 bytes. */
		thumbhash: string;
		/** Dominant colour, for a flat background while the picture loads. */
		dominant: string;
	};
	source: {
		/** `jpeg`, `png`, `webp`, `avif` or `heic`. */
		format: string;
		/** As displayed, i.e. after EXIF orientation. */
		width: number;
		height: number;
		/** What the upload carried and we removed; lets the UI say "location and camera data were removed". */
		hadMetadata: { exif: boolean; gps: boolean; xmp: boolean; iptc: boolean; icc: boolean };
	};
}

const jobs = new Limiter(
	IMAGE_JOBS,
	IMAGE_MAX_QUEUED,
	() => new ImageError('image_busy', 'too many images are waiting to be processed')
);
const tasks = new Limiter(IMAGE_TASKS);
const heicJobs = new Limiter(HEIC_JOBS);

/**
 * Whether this libvips decodes HEVC itself: it lists `.heic` among the HEIF loader's suffixes only
 * when libheif has an HEVC decoder (the prebuilt one has AV1 only).
 */
const SHARP_DECODES_HEVC = sharp.format.heif.input.fileSuffix?.includes('.heic') ?? false;

/** How busy the pipeline is, for a "processing" status or a 429 decision. */
export function imageQueueStatus(): { running: number; queued: number } {
	return { running: jobs.active, queued: jobs.queued };
}

/**
 * Validates an uploaded picture by decoding it and produces a scrubbed master, responsive
 * derivatives and a placeholder. All pixel work runs in libvips on libuv threads, bounded by a
 * job and a task limiter, so the event loop only schedules and the memory stays bounded.
 *
 * @throws {ImageError} for every expected refusal (unsupported type, HEIC, pixel flood, corrupt…).
 */
export async function processImage(
	input: Buffer | string,
	options: ProcessImageOptions = {}
): Promise<ProcessedImage> {
	const maxBytes = options.maxInputBytes ?? MAX_INPUT_BYTES;
	const size = typeof input === 'string' ? (await stat(input)).size : input.length;
	if (size > maxBytes) {
		throw new ImageError('image_too_large_bytes', `image is ${size} bytes, limit ${maxBytes}`);
	}
	if (size === 0) throw new ImageError('image_unsupported_type', 'empty file');
	return jobs.run(() => runPipeline(input, options));
}

const INPUT_OPTIONS: SharpOptions = {
	failOn: 'warning',
	limitInputPixels: LIMIT_INPUT_PIXELS,
	// Animated WebP/PNG and multi-image HEIF: only the first frame is used.
	pages: 1,
	page: 0,
	autoOrient: true
};

async function runPipeline(
	input: Buffer | string,
	options: ProcessImageOptions
): Promise<ProcessedImage> {
	const meta = await readHeader(input);
	const { width: srcWidth, height: srcHeight } = meta.autoOrient;

	let decoded: { data: Buffer; info: OutputInfo };
	try {
		let pipeline = await openPixels(input, meta);
		// Transparent parts would turn black in the JPEG fallback; fabric is shown on white.
		if (meta.hasAlpha) pipeline = pipeline.flatten({ background: '#ffffff' });
		decoded = await tasks.run(() =>
			pipeline
				.resize({
					width: MASTER_MAX_EDGE,
					height: MASTER_MAX_EDGE,
					fit: 'inside',
					withoutEnlargement: true
				})
				// Embedded profiles (Display P3, Adobe RGB, CMYK) are converted to sRGB here.
				.toColourspace('srgb')
				.removeAlpha()
				.raw()
				.toBuffer({ resolveWithObject: true })
		);
	} catch (error) {
		throw decodeError(error, meta);
	}

	const { width, height } = decoded.info;
	const fromMaster = () => sharp(decoded.data, { raw: { width, height, channels: 3 } });
	const formats = options.formats ?? DERIVATIVE_FORMATS;
	const widths = derivativeWidths(width, options.widths ?? DERIVATIVE_WIDTHS);

	// The widest derivative is resized from the master, the others from its pixels: resizing reads
	// every input pixel, and 1920 px wide is a fifth of a 12 MP master (same Lanczos quality).
	const widest = widths.at(-1) as number;
	const largeDone = tasks.run(async () => {
		const pixels = await resizeRaw(fromMaster(), widest);
		return { pixels, derivatives: await encodeAll(pixels, formats) };
	});
	const [master, placeholder, large, ...smaller] = await Promise.all([
		tasks.run(() => fromMaster().jpeg(ENCODER_SETTINGS.master).toBuffer()),
		largeDone.then(({ pixels }) => tasks.run(() => makePlaceholder(rawImage(pixels)))),
		largeDone,
		...widths.slice(0, -1).map(async (w) => {
			const { pixels } = await largeDone;
			return tasks.run(async () => encodeAll(await resizeRaw(rawImage(pixels), w), formats));
		})
	]);
	const perWidth = [...smaller, large.derivatives];
	const derivatives = formats.flatMap((format) =>
		perWidth.flat().filter((derivative) => derivative.format === format)
	);

	return {
		master: { data: master, width, height, format: 'jpeg' },
		derivatives,
		placeholder,
		source: {
			format: meta.format === 'heif' ? (meta.compression === 'av1' ? 'avif' : 'heic') : meta.format,
			width: srcWidth,
			height: srcHeight,
			hadMetadata: {
				exif: Boolean(meta.exif),
				gps: exifHasGps(meta.exif),
				xmp: Boolean(meta.xmp),
				iptc: Boolean(meta.iptc),
				icc: Boolean(meta.icc)
			}
		}
	};
}

/** Reads and checks the header only: refuses wrong types, HEIC, floods and tiny images cheaply. */
async function readHeader(input: Buffer | string): Promise<Metadata> {
	let meta: Metadata;
	try {
		meta = await sharp(input, INPUT_OPTIONS).metadata();
	} catch (error) {
		if (/pixel limit/i.test(errorMessage(error))) {
			throw new ImageError('image_too_many_pixels', errorMessage(error), { cause: error });
		}
		// Blocked loaders and non-images (HTML, PHP, SVG, TIFF…) both end up here.
		if (/unsupported image format|is blocked|not a known/i.test(errorMessage(error))) {
			throw new ImageError('image_unsupported_type', 'not a JPEG, PNG, WebP, AVIF or HEIC image', {
				cause: error
			});
		}
		throw new ImageError('image_corrupt', 'the image header cannot be read', { cause: error });
	}
	if (!(ALLOWED_FORMATS as readonly string[]).includes(meta.format)) {
		throw new ImageError('image_unsupported_type', `format ${meta.format} is not accepted`);
	}
	if (meta.format === 'heif' && meta.compression !== 'av1' && meta.compression !== 'hevc') {
		throw new ImageError(
			'image_heic_unsupported',
			`HEIF with ${meta.compression ?? 'unknown'} compression cannot be decoded here`
		);
	}
	const { width, height } = meta.autoOrient;
	// sharp checks this as well when decoding; checking here keeps floods out of the queue of tasks.
	if (width * height > LIMIT_INPUT_PIXELS) {
		throw new ImageError('image_too_many_pixels', `${width}×${height} exceeds the pixel limit`);
	}
	if (Math.max(width, height) < MIN_LONG_EDGE || Math.min(width, height) < MIN_SHORT_EDGE) {
		throw new ImageError('image_too_small', `${width}×${height} is too small`);
	}
	return meta;
}

/**
 * The upload's pixels in sharp. HEIC that libvips cannot decode is decoded by libheif in
 * WebAssembly (heic.ts) after the header checks, within the pixel and time limits, and handed over
 * as pixels that carry no metadata (orientation already applied, colour profile kept for the
 * conversion to sRGB).
 */
async function openPixels(input: Buffer | string, meta: Metadata): Promise<Sharp> {
	if (meta.format !== 'heif' || meta.compression !== 'hevc' || SHARP_DECODES_HEVC) {
		return sharp(input, INPUT_OPTIONS);
	}
	const bytes = typeof input === 'string' ? await readFile(input) : input;
	const heic = await heicJobs.run(() =>
		tasks.run(() =>
			decodeHeic(bytes, {
				maxPixels: LIMIT_INPUT_PIXELS,
				timeoutMs: HEIC_DECODE_TIMEOUT_MS,
				icc: meta.icc
			})
		)
	);
	const { width, height, channels } = heic;
	return heic.format === 'png'
		? sharp(heic.data, { failOn: 'warning', limitInputPixels: LIMIT_INPUT_PIXELS })
		: sharp(heic.data, { raw: { width, height, channels }, limitInputPixels: LIMIT_INPUT_PIXELS });
}

function decodeError(error: unknown, meta: Metadata): ImageError {
	if (isImageError(error)) return error;
	const message = errorMessage(error);
	if (/pixel limit/i.test(message)) {
		return new ImageError('image_too_many_pixels', message, { cause: error });
	}
	if (meta.format === 'heif' && /compression format|not been built in|plugin/i.test(message)) {
		return new ImageError('image_heic_unsupported', message, { cause: error });
	}
	return new ImageError('image_corrupt', message, { cause: error });
}

/**
 * `srcset` widths for a master of this width: the configured steps that are clearly smaller,
 * plus the master's own width when it is not wider than the largest step (so a 1000 px master
 * gets 320, 640 and 1000 rather than a 960 that differs by 4 %).
 */
export function derivativeWidths(masterWidth: number, widths: readonly number[]): number[] {
	const sorted = [...new Set(widths)].sort((a, b) => a - b);
	const result = sorted.filter((w) => w < masterWidth * 0.9);
	if (masterWidth <= (sorted.at(-1) ?? 0) || result.length === 0) result.push(masterWidth);
	return result;
}

interface RawPixels {
	data: Buffer;
	width: number;
	height: number;
}

function rawImage(pixels: RawPixels): Sharp {
	return sharp(pixels.data, {
		raw: { width: pixels.width, height: pixels.height, channels: 3 }
	});
}

async function resizeRaw(image: Sharp, width: number): Promise<RawPixels> {
	const { data, info } = await image.resize({ width }).raw().toBuffer({ resolveWithObject: true });
	return { data, width: info.width, height: info.height };
}

/** Encodes one size in every format (resized once: cheaper than resizing per format). */
async function encodeAll(
	pixels: RawPixels,
	formats: readonly DerivativeFormat[]
): Promise<Derivative[]> {
	const { width, height } = pixels;
	const result: Derivative[] = [];
	for (const format of formats) {
		const image = rawImage(pixels);
		const encoded =
			format === 'avif'
				? image.avif(
						width >= AVIF_FAST_FROM_WIDTH ? ENCODER_SETTINGS.avifLarge : ENCODER_SETTINGS.avif
					)
				: format === 'webp'
					? image.webp(ENCODER_SETTINGS.webp)
					: image.jpeg(ENCODER_SETTINGS.jpeg);
		const data = await encoded.toBuffer();
		result.push({ width, height, format, data, bytes: data.length });
	}
	return result;
}

/** ThumbHash needs ≤ 100 × 100 RGBA; the dominant colour comes from the same tiny image. */
async function makePlaceholder(image: Sharp): Promise<ProcessedImage['placeholder']> {
	const { data, info } = await image
		.resize({ width: 100, height: 100, fit: 'inside' })
		.ensureAlpha()
		.raw()
		.toBuffer({ resolveWithObject: true });
	const hash = rgbaToThumbHash(info.width, info.height, data);
	const { dominant } = await sharp(data, {
		raw: { width: info.width, height: info.height, channels: 4 }
	}).stats();
	const hex = [dominant.r, dominant.g, dominant.b]
		.map((c) => c.toString(16).padStart(2, '0'))
		.join('');
	return { thumbhash: Buffer.from(hash).toString('base64'), dominant: `#${hex}` };
}

function errorMessage(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
