import sharp from 'sharp';

/** An RGB colour as three 0–255 channels. */
export type Rgb = readonly [number, number, number];

export interface TextileImageOptions {
	width: number;
	height: number;
	/** Same seed, same picture: demo data and benchmarks stay reproducible. */
	seed?: number;
	/** First colour is the fabric, the others are thread colours. */
	palette?: readonly Rgb[];
	/** Cross-stitch cell size in pixels; defaults to about 1/120 of the short edge. */
	cell?: number;
	/** Output encoding; `raw` returns interleaved RGB bytes. */
	format?: 'jpeg' | 'png' | 'webp' | 'raw';
	/** JPEG/WebP quality of the returned file (phone cameras write about 90–95). */
	quality?: number;
}

export interface GeneratedImage {
	data: Buffer;
	width: number;
	height: number;
	format: 'jpeg' | 'png' | 'webp' | 'raw';
}

/** Linen with red and black thread, the classic palette of Eastern European cross-stitch. */
export const DEFAULT_TEXTILE_PALETTE: readonly Rgb[] = [
	[226, 216, 196],
	[178, 34, 42],
	[28, 26, 30],
	[196, 150, 52],
	[46, 84, 140]
];

/** Small, fast, seedable PRNG (mulberry32); Math.random cannot be seeded. */
function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/**
 * A symmetric folk-embroidery motif as a grid of palette indexes (0 = no stitch), mirrored on both
 * axes like most cross-stitch borders and rosettes.
 */
function makeMotif(rand: () => number, size: number, colours: number): Uint8Array {
	const motif = new Uint8Array(size * size);
	const half = Math.ceil(size / 2);
	for (let y = 0; y < half; y++) {
		for (let x = 0; x < half; x++) {
			// Denser towards the diagonal, which gives the diamond shapes typical of the craft.
			const onDiagonal = Math.abs(x - y) <= 1 || x + y === half - 1;
			const p = onDiagonal ? 0.75 : 0.3;
			const colour = rand() < p ? 1 + Math.floor(rand() * colours) : 0;
			for (const [mx, my] of [
				[x, y],
				[size - 1 - x, y],
				[x, size - 1 - y],
				[size - 1 - x, size - 1 - y]
			]) {
				motif[my * size + mx] = colour;
			}
		}
	}
	return motif;
}

/**
 * Draws an embroidery-like photo (woven linen, cross-stitched motifs, uneven light, sensor noise)
 * from raw pixels, so demo data and benchmarks need no image files and no SVG (whose loader the
 * pipeline blocks process-wide). The texture is deliberately busy: real textile photos are hard
 * to compress, and encoder settings chosen on smooth gradients would be too optimistic.
 */
export async function generateTextileImage(options: TextileImageOptions): Promise<GeneratedImage> {
	const { width, height, seed = 1, palette = DEFAULT_TEXTILE_PALETTE, format = 'jpeg' } = options;
	if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
		throw new RangeError('width and height must be positive integers');
	}
	if (palette.length < 2) throw new RangeError('palette needs a fabric and at least one thread');
	const rand = prng(seed);
	const cell = options.cell ?? Math.max(4, Math.round(Math.min(width, height) / 120));
	const thread = Math.max(2, Math.round(cell / 3));
	const motifSize = 9 + 2 * Math.floor(rand() * 4);
	const motifs = [0, 1, 2].map(() => makeMotif(rand, motifSize, palette.length - 1));
	const gap = 2 + Math.floor(rand() * 3);
	const period = motifSize + gap;
	const fabric = palette[0];
	const lightX = rand();
	const lightY = rand();
	const out = Buffer.allocUnsafe(width * height * 3);

	for (let y = 0; y < height; y++) {
		const cy = Math.floor(y / cell);
		const fy = (y % cell) / cell;
		const weft = Math.floor(y / thread);
		const weftShade = Math.sin(((y % thread) / thread) * Math.PI);
		for (let x = 0; x < width; x++) {
			const i = (y * width + x) * 3;
			const cx = Math.floor(x / cell);
			const fx = (x % cell) / cell;
			// Plain weave: warp and weft alternate on top; each thread is lit like a cylinder.
			const warp = Math.floor(x / thread);
			const warpOnTop = ((warp + weft) & 1) === 0;
			const warpShade = Math.sin(((x % thread) / thread) * Math.PI);
			let shade = 0.78 + 0.22 * (warpOnTop ? warpShade : weftShade);
			let colour: Rgb = fabric;

			const my = cy % period;
			const mx = cx % period;
			if (mx < motifSize && my < motifSize) {
				const motif = motifs[(Math.floor(cx / period) + Math.floor(cy / period)) % motifs.length];
				const c = motif[my * motifSize + mx];
				if (c !== 0) {
					// A cross stitch: two diagonal bars of thread; the top bar is brighter.
					const d1 = Math.abs(fx - fy);
					const d2 = Math.abs(fx + fy - 1);
					const w = 0.2;
					if (d2 < w || d1 < w) {
						colour = palette[c];
						const top = d2 < w;
						const d = top ? d2 : d1;
						shade = (top ? 0.95 : 0.8) + 0.2 * Math.cos((d / w) * (Math.PI / 2));
					}
				}
			}
			const light = 0.85 + 0.25 * (1 - Math.hypot(x / width - lightX, y / height - lightY));
			const noise = (rand() - 0.5) * 14;
			out[i] = clamp(colour[0] * shade * light + noise);
			out[i + 1] = clamp(colour[1] * shade * light + noise);
			out[i + 2] = clamp(colour[2] * shade * light + noise);
		}
	}

	if (format === 'raw') return { data: out, width, height, format };
	// A slight blur stands in for lens softness and demosaicing, as in a real photo.
	const image = sharp(out, { raw: { width, height, channels: 3 } }).blur(0.6);
	const quality = options.quality ?? 92;
	const data =
		format === 'jpeg'
			? await image.jpeg({ quality }).toBuffer()
			: format === 'webp'
				? await image.webp({ quality }).toBuffer()
				: await image.png().toBuffer();
	return { data, width, height, format };
}

function clamp(v: number): number {
	return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}
