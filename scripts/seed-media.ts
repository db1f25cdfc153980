/**
 * Demo media for the seeded gallery: for every `piece_photos` row, draws a textile-like picture
 * in the row's shape and dominant colour, runs it through the real image pipeline and uploads the
 * master and every derivative the row names (see the header of supabase/seed.sql) through the
 * Storage API. Idempotent: photos whose objects all exist are skipped, so it can run on every
 * start. Works against the local stack and a real Supabase project alike:
 *
 *   npx tsx scripts/seed-media.ts [--url http://127.0.0.1:54321] [--secret-key sb_secret_…]
 *
 * Defaults come from PUBLIC_SUPABASE_URL and SUPABASE_SECRET_KEY.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import {
	generateTextileImage,
	processImage,
	type Derivative
} from '../src/lib/server/images/index.ts';

/** Formats as the seed names them (file extensions) and as the pipeline names them. */
const FORMATS = { avif: 'avif', webp: 'webp', jpg: 'jpeg', jpeg: 'jpeg' } as const;
const CONTENT_TYPES = { avif: 'image/avif', webp: 'image/webp', jpeg: 'image/jpeg' } as const;
/**
 * Demo pictures stop here, so a fresh start stays short on a small machine (AVIF encoding dominates):
 * files named w960/w1440 then hold the 640 px picture, which the browser simply scales.
 */
const MAX_EDGE = 640;
const CONCURRENCY = 3;

type VariantMap = Record<string, Record<string, string>>;

interface PhotoRow {
	id: string;
	piece_id: string;
	master_path: string;
	variants: VariantMap;
	public_variants: VariantMap | null;
	width: number;
	height: number;
	placeholder: string | null;
	dominant_color: string | null;
}

export interface SeedMediaOptions {
	url: string;
	secretKey: string;
	log?: (message: string) => void;
}

export interface SeedMediaResult {
	photos: number;
	generated: number;
	skipped: number;
	uploaded: number;
}

function parseHex(hex: string | null): [number, number, number] {
	const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex ?? '');
	if (!match) return [178, 34, 42];
	return [parseInt(match[1], 16), parseInt(match[2], 16), parseInt(match[3], 16)];
}

/** Fabric in the photo's dominant colour, threads that stand out against it. */
function paletteFor(hex: string | null): [number, number, number][] {
	const [r, g, b] = parseHex(hex);
	const light = (r + g + b) / 3 > 128;
	const shade = (f: number): [number, number, number] => [
		Math.round(r * f) % 256,
		Math.round(g * f) % 256,
		Math.round(b * f) % 256
	];
	return [
		[r, g, b],
		light ? [150, 28, 36] : [236, 226, 204],
		light ? [32, 30, 36] : [214, 170, 70],
		light ? shade(0.55) : [196, 70, 60],
		light ? [40, 80, 136] : [120, 170, 210]
	];
}

function seedOf(id: string): number {
	let hash = 2166136261;
	for (const char of id) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619);
	return hash >>> 0;
}

function folderOf(path: string): { folder: string; name: string } {
	const cut = path.lastIndexOf('/');
	return { folder: path.slice(0, cut), name: path.slice(cut + 1) };
}

/** Every object a row names, per bucket. */
function wantedObjects(
	row: PhotoRow
): { bucket: string; path: string; format?: string; width?: number }[] {
	const wanted: { bucket: string; path: string; format?: string; width?: number }[] = [
		{ bucket: 'masters', path: row.master_path }
	];
	for (const [bucket, map] of [
		['masters', row.variants],
		['public-media', row.public_variants]
	] as const) {
		for (const [format, byWidth] of Object.entries(map ?? {})) {
			for (const [width, path] of Object.entries(byWidth)) {
				wanted.push({ bucket, path, format, width: Number(width) });
			}
		}
	}
	return wanted;
}

async function existingNames(
	client: SupabaseClient,
	bucket: string,
	folder: string
): Promise<Set<string>> {
	const { data, error } = await client.storage.from(bucket).list(folder, { limit: 100 });
	if (error) throw new Error(`listing ${bucket}/${folder}: ${error.message}`);
	return new Set(data.map((object) => object.name));
}

function pickDerivative(derivatives: Derivative[], format: string, width: number): Derivative {
	const pipelineFormat = FORMATS[format as keyof typeof FORMATS];
	if (!pipelineFormat) throw new Error(`unknown format ${format}`);
	const candidates = derivatives.filter((d) => d.format === pipelineFormat);
	// The seed names 480/960/1440; the pipeline may end on the master's own width instead.
	return candidates.reduce((best, d) =>
		Math.abs(d.width - width) < Math.abs(best.width - width) ? d : best
	);
}

async function seedPhoto(
	client: SupabaseClient,
	row: PhotoRow
): Promise<{ generated: boolean; uploaded: number }> {
	const wanted = wantedObjects(row);
	const listings = new Map<string, Set<string>>();
	const missing = [];
	for (const object of wanted) {
		const { folder, name } = folderOf(object.path);
		const key = `${object.bucket}/${folder}`;
		if (!listings.has(key)) listings.set(key, await existingNames(client, object.bucket, folder));
		if (!listings.get(key)!.has(name)) missing.push(object);
	}
	if (missing.length === 0) return { generated: false, uploaded: 0 };

	const scale = Math.min(1, MAX_EDGE / Math.max(row.width, row.height));
	const width = Math.max(1, Math.round(row.width * scale));
	const height = Math.max(1, Math.round(row.height * scale));
	const widths = [...new Set(wanted.flatMap((o) => (o.width ? [Math.min(o.width, width)] : [])))];
	const source = await generateTextileImage({
		width,
		height,
		seed: seedOf(row.id),
		palette: paletteFor(row.dominant_color),
		format: 'jpeg',
		quality: 92
	});
	const processed = await processImage(source.data, {
		widths: widths.length > 0 ? widths : [width],
		formats: ['avif', 'webp', 'jpeg']
	});

	let uploaded = 0;
	for (const object of missing) {
		const derivative =
			object.format === undefined
				? undefined
				: pickDerivative(processed.derivatives, object.format, object.width ?? width);
		const body = derivative?.data ?? processed.master.data;
		const contentType = CONTENT_TYPES[derivative?.format ?? 'jpeg'];
		const { error } = await client.storage
			.from(object.bucket)
			.upload(object.path, body, { contentType, upsert: false, cacheControl: '31536000' });
		// Another run may have uploaded it meanwhile: that is the state we want.
		if (error && !/exists|duplicate/i.test(error.message)) {
			throw new Error(`uploading ${object.bucket}/${object.path}: ${error.message}`);
		}
		if (!error) uploaded++;
	}

	const { thumbhash, dominant } = processed.placeholder;
	if (thumbhash !== row.placeholder || dominant !== row.dominant_color) {
		const { error } = await client
			.from('piece_photos')
			.update({ placeholder: thumbhash, dominant_color: dominant })
			.eq('id', row.id);
		if (error) throw new Error(`updating placeholder of ${row.id}: ${error.message}`);
	}
	return { generated: true, uploaded };
}

/** Generates and uploads the demo media for every photo row; skips what is already there. */
export async function seedMedia({
	url,
	secretKey,
	log = console.log
}: SeedMediaOptions): Promise<SeedMediaResult> {
	const client = createClient(url, secretKey, {
		auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false }
	});
	const rows: PhotoRow[] = [];
	for (let from = 0; ; from += 1000) {
		const { data, error } = await client
			.from('piece_photos')
			.select(
				'id, piece_id, master_path, variants, public_variants, width, height, placeholder, dominant_color'
			)
			.order('id')
			.range(from, from + 999);
		if (error) throw new Error(`reading piece_photos: ${error.message}`);
		rows.push(...(data as PhotoRow[]));
		if (data.length < 1000) break;
	}

	const result: SeedMediaResult = { photos: rows.length, generated: 0, skipped: 0, uploaded: 0 };
	let next = 0;
	await Promise.all(
		Array.from({ length: CONCURRENCY }, async () => {
			while (next < rows.length) {
				const row = rows[next++];
				const { generated, uploaded } = await seedPhoto(client, row);
				if (generated) result.generated++;
				else result.skipped++;
				result.uploaded += uploaded;
			}
		})
	);
	log(
		`[seed-media] ${result.photos} photos: ${result.generated} generated (${result.uploaded} objects uploaded), ${result.skipped} already complete`
	);
	return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
	const { values } = parseArgs({
		options: {
			url: { type: 'string', default: process.env.PUBLIC_SUPABASE_URL },
			'secret-key': { type: 'string', default: process.env.SUPABASE_SECRET_KEY }
		}
	});
	if (!values.url || !values['secret-key']) {
		console.error(
			'usage: npx tsx scripts/seed-media.ts --url <supabase url> --secret-key <secret>'
		);
		process.exit(2);
	}
	const started = performance.now();
	await seedMedia({ url: values.url, secretKey: values['secret-key'] });
	console.log(`[seed-media] done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
