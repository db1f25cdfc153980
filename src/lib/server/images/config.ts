import { availableParallelism } from 'node:os';
import sharp from 'sharp';

/**
 * 50 MP: a 48 MP phone photo (8064 × 6048 = 48.8 MP) still passes, a pixel flood does not.
 * sharp's default (268 MP, 0x3FFF²) would let one upload allocate ~800 MB of RGB; at 50 MP a
 * decoded frame is ≤ 150 MB, and the pool below runs at most `IMAGE_JOBS` of them at once. The
 * check uses the header's dimensions, so a flood is refused before any pixel is decoded.
 */
export const LIMIT_INPUT_PIXELS = 50_000_000;

/** Bytes accepted per file: a 48 MP JPEG is 15–25 MB, a 12 MP one 3–6 MB. */
export const MAX_INPUT_BYTES = 30 * 1024 * 1024;

/** Smaller pictures are too small to show in the gallery. */
export const MIN_LONG_EDGE = 640;
export const MIN_SHORT_EDGE = 160;

/** The private scrubbed master keeps at most this long edge. */
export const MASTER_MAX_EDGE = 4096;

/**
 * Derivative widths for `srcset`: phones at 2–3× (320–1280), desktop columns, and full-screen
 * views on large or high-density screens (1920). See README.md for the measurements.
 */
export const DERIVATIVE_WIDTHS = [320, 640, 960, 1280, 1920] as const;

export type DerivativeFormat = 'avif' | 'webp' | 'jpeg';

/** Formats written for every width, most efficient first (the order of `<source>` elements). */
export const DERIVATIVE_FORMATS: readonly DerivativeFormat[] = ['avif', 'jpeg'];

/**
 * Encoder settings picked with tests/bench/image-pipeline.bench.ts (reasoning in README.md).
 * AVIF q60 matches the JPEG q80 fallback's SSIM at ~60 % of its bytes (the scales differ).
 */
export const ENCODER_SETTINGS = {
	/** Up to 1280 px (phones, grid): chroma at half resolution, as in the JPEG fallback. */
	avif: { quality: 60, effort: 1, chromaSubsampling: '4:2:0' },
	/**
	 * From `AVIF_FAST_FROM_WIDTH` up (full-screen views of the stitches): full chroma, so fine
	 * coloured threads stay crisp, with libaom's fastest preset, which costs ~a quarter of effort 1's
	 * CPU for ~14 % more bytes on these widths, fetched only by large screens.
	 */
	avifLarge: { quality: 60, effort: 0, chromaSubsampling: '4:4:4' },
	webp: { quality: 75, effort: 3, smartSubsample: true },
	jpeg: { quality: 80, progressive: true, optimiseCoding: true, mozjpeg: false },
	master: { quality: 90, chromaSubsampling: '4:4:4', optimiseCoding: false, mozjpeg: false }
} as const;

/** Derivatives at least this wide get `ENCODER_SETTINGS.avifLarge` (see README.md). */
export const AVIF_FAST_FROM_WIDTH = 1600;

/**
 * The only decoders left usable: JPEG, PNG, WebP and HEIF (AVIF decodes via aom; the prebuilt
 * libvips reads HEIC headers but has no HEVC decoder, so heic.ts decodes those). Everything else (TIFF, SVG, PDF, GIF,
 * VIPS, FITS, Magick, OpenSlide, JP2K, JXL, RAW, matrix, CSV, Analyze, Radiance, PPM, …) is
 * blocked, because each decoder is attack surface (GHSA-f88m-g3jw-g9cj) we do not need.
 */
export const ALLOWED_LOADERS = [
	'VipsForeignLoadJpegFile',
	'VipsForeignLoadJpegBuffer',
	'VipsForeignLoadPngFile',
	'VipsForeignLoadPngBuffer',
	'VipsForeignLoadWebpFile',
	'VipsForeignLoadWebpBuffer',
	'VipsForeignLoadHeifFile',
	'VipsForeignLoadHeifBuffer'
] as const;

/** `sharp(...).metadata().format` values the pipeline accepts (AVIF reports as `heif`). */
export const ALLOWED_FORMATS = ['jpeg', 'png', 'webp', 'heif'] as const;

/** Concurrent pipeline runs; each holds at most one decoded master (≤ 4096² × 3 B ≈ 50 MB). */
export const IMAGE_JOBS =
	positiveInt(process.env.IMAGE_JOBS) ?? Math.min(availableParallelism(), 4);

/**
 * Concurrent encode/resize tasks across all runs. Each occupies one libuv thread (the pool is 4
 * threads by default and is shared with fs, dns and crypto), so this stays at the core count.
 */
export const IMAGE_TASKS = positiveInt(process.env.IMAGE_TASKS) ?? availableParallelism();

/**
 * HEIC decodes (libheif in WebAssembly, see heic.ts) at once. One 48 MP decode holds ~0.5 GB (the
 * instance's planes plus the copied pixels), so by default they take turns; each also takes one of
 * `IMAGE_TASKS`, since it occupies a core.
 */
export const HEIC_JOBS = positiveInt(process.env.HEIC_JOBS) ?? 1;

/**
 * Wall-clock limit of one HEIC decode, after which its worker is terminated and the upload is
 * refused as `image_corrupt`. A 12 MP photo takes ~1.4 s CPU and a 48 MP one ~6 s; the margin is
 * for a loaded machine (wall time, not CPU), so only a decoder that hangs reaches it.
 */
export const HEIC_DECODE_TIMEOUT_MS = positiveInt(process.env.HEIC_DECODE_TIMEOUT_MS) ?? 60_000;

/** Uploads allowed to wait for a free slot before new ones get `image_busy`. */
export const IMAGE_MAX_QUEUED = positiveInt(process.env.IMAGE_MAX_QUEUED) ?? 32;

let configured = false;

/**
 * Applies the process-wide sharp settings once. `sharp.block` is global: any other code in this
 * process that uses sharp can only decode the allowed formats too (raw pixels and `create` still
 * work, which is how generate.ts draws).
 */
export function configureSharp(): void {
	if (configured) return;
	configured = true;
	sharp.block({ operation: ['VipsForeignLoad'] });
	sharp.unblock({ operation: [...ALLOWED_LOADERS] });
	// One libvips thread per task: parallelism comes from running tasks side by side, which
	// scales better than splitting one image and keeps CPU use equal to IMAGE_TASKS.
	sharp.concurrency(1);
	// Every upload is new, so libvips' operation cache would only hold memory.
	sharp.cache(false);
}

function positiveInt(value: string | undefined): number | undefined {
	const n = Number(value);
	return Number.isInteger(n) && n > 0 ? n : undefined;
}
