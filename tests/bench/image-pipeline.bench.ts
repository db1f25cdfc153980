/**
 * image_pipeline_cpu_ratio_vs_imagemagick: CPU seconds (user + system, all threads) our pipeline
 * spends on one realistic 12 MP textile photo, divided by ImageMagick's `convert` producing the
 * same files (master + every derivative width and format, same qualities) in one invocation.
 *
 * Ours runs in a child `node --import tsx` process that reports its own `resourceUsage()` around
 * `processImage` (a server is long-running, so start-up is not counted); ImageMagick's CPU is
 * read with `/usr/bin/time` (or bash's `times` builtin when it is missing). ImageMagick runs with
 * MAGICK_THREAD_LIMIT=1, which spares it OpenMP overhead and so only makes the baseline cheaper.
 *
 * image_pipeline_heic_vs_jpeg_cpu_ratio: CPU of the whole pipeline on the same 12 MP photo as HEIC
 * (HEVC, made here with heif-enc, decoded by libheif in WebAssembly, see heic.ts) divided by the
 * same photo as JPEG. Skipped, with a note, where heif-enc with x265 is not installed.
 *
 * `IMAGE_BENCH_SWEEP=1` also prints the encoder sweep (bytes, CPU, SSIM per setting at 1280 px)
 * that README.md's choices come from.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp, { type Sharp } from 'sharp';
import {
	AVIF_FAST_FROM_WIDTH,
	DERIVATIVE_FORMATS,
	ENCODER_SETTINGS,
	MASTER_MAX_EDGE
} from '../../src/lib/server/images/config.ts';
import { generateTextileImage } from '../../src/lib/server/images/generate.ts';
import type { Bench, BenchResult } from './harness.ts';

const run = promisify(execFile);
const CONVERT = '/usr/bin/convert';
/** Minimum of a few runs: contention from other processes only ever adds CPU time. */
const RUNS = 3;
const pipelineModule = fileURLToPath(
	new URL('../../src/lib/server/images/pipeline.ts', import.meta.url)
);
const heicModule = fileURLToPath(new URL('../../src/lib/server/images/heic.ts', import.meta.url));

interface ChildReport {
	cpuMs: number[];
	jpegOnlyCpuMs: number;
	bytes: Record<string, number>;
	widths: number[];
}

/** Runs processImage in a fresh process and returns its CPU per run and output sizes. */
async function measureOurs(input: string, outDir: string): Promise<ChildReport> {
	const script = join(outDir, 'child.mts');
	await writeFile(
		script,
		`import { readFile, writeFile } from 'node:fs/promises';
import { processImage } from ${JSON.stringify(pipelineModule)};
const cpu = () => { const r = process.resourceUsage(); return (r.userCPUTime + r.systemCPUTime) / 1000; };
const cpuMs = [];
let last;
const once = async (options) => {
	const before = cpu();
	const result = await processImage(await readFile(${JSON.stringify(input)}), options);
	await writeFile(${JSON.stringify(join(outDir, 'ours-master.jpg'))}, result.master.data);
	for (const d of result.derivatives) await writeFile(${JSON.stringify(outDir)} + '/ours-' + d.width + '.' + d.format, d.data);
	last = result;
	return cpu() - before;
};
for (let i = 0; i < ${RUNS}; i++) cpuMs.push(await once({}));
const bytes = {};
for (const d of last.derivatives) bytes[d.format] = (bytes[d.format] ?? 0) + d.bytes;
bytes.master = last.master.data.length;
const widths = [...new Set(last.derivatives.map((d) => d.width))];
const jpegOnlyCpuMs = await once({ formats: ['jpeg'] });
console.log(JSON.stringify({ cpuMs, jpegOnlyCpuMs, bytes, widths }));
`
	);
	const { stdout } = await run(process.execPath, ['--import', 'tsx', script], {
		cwd: fileURLToPath(new URL('../..', import.meta.url)),
		maxBuffer: 1 << 20,
		timeout: 180_000
	});
	return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as ChildReport;
}

/** ImageMagick's arguments for the same outputs: decode once, then every width and format. */
function magickArgs(
	input: string,
	outDir: string,
	widths: number[],
	formats: readonly string[]
): string[] {
	const { master, jpeg, avif, avifLarge, webp } = ENCODER_SETTINGS;
	const args = [input, '-auto-orient', '-strip', '-colorspace', 'sRGB'];
	args.push('-resize', `${MASTER_MAX_EDGE}x${MASTER_MAX_EDGE}>`, '-write', 'mpr:master');
	args.push('-sampling-factor', '1x1', '-quality', String(master.quality));
	args.push('-write', join(outDir, 'im-master.jpg'), '+delete');
	widths.forEach((width, i) => {
		args.push('mpr:master', '-resize', `${width}x`);
		for (const format of formats) {
			if (format === 'jpeg') {
				args.push('-sampling-factor', '2x2', '-interlace', 'Plane', '-quality', `${jpeg.quality}`);
			} else {
				const settings =
					format === 'webp' ? webp : width >= AVIF_FAST_FROM_WIDTH ? avifLarge : avif;
				// Same chroma as ours: 1x1 = 4:4:4, 2x2 = 4:2:0 (6.9.11's AVIF writer ignores it).
				const sampling =
					'chromaSubsampling' in settings && settings.chromaSubsampling === '4:4:4' ? '1x1' : '2x2';
				args.push('-sampling-factor', sampling, '-interlace', 'None');
				args.push('-quality', String(settings.quality));
			}
			args.push('-write', join(outDir, `im-${width}.${format}`));
		}
		if (i < widths.length - 1) args.push('+delete');
	});
	args.push('null:');
	return args;
}

/** CPU milliseconds (user + system) of one ImageMagick run. */
async function measureMagick(args: string[], outDir: string): Promise<number> {
	const env = { ...process.env, MAGICK_THREAD_LIMIT: '1' };
	if (existsSync('/usr/bin/time')) {
		const report = join(outDir, 'time.txt');
		await run('/usr/bin/time', ['-f', '%U %S', '-o', report, CONVERT, ...args], {
			env,
			timeout: 180_000
		});
		const [user, system] = (await readFile(report, 'utf8')).trim().split(/\s+/).map(Number);
		return (user + system) * 1000;
	}
	// bash's `times` prints the shell's and then its children's user and system time.
	const quoted = args.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
	const { stdout } = await run('bash', ['-c', `${CONVERT} ${quoted} >/dev/null; times`], {
		env,
		timeout: 180_000
	});
	const children = stdout.trim().split('\n').at(-1) ?? '';
	const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => +m[1] * 60 + +m[2]);
	return (seconds[0] + seconds[1]) * 1000;
}

async function formatBytes(outDir: string, prefix: string, widths: number[]) {
	const bytes: Record<string, number> = {};
	for (const format of DERIVATIVE_FORMATS) {
		for (const width of widths) {
			bytes[format] =
				(bytes[format] ?? 0) + (await stat(join(outDir, `${prefix}-${width}.${format}`))).size;
		}
	}
	return bytes;
}

function magickCanWrite(format: string): boolean {
	const list = spawnSync(CONVERT, ['-list', 'format'], { encoding: 'utf8' }).stdout ?? '';
	const name = format === 'jpeg' ? 'JPEG' : format.toUpperCase();
	return new RegExp(`^\\s*${name}\\*?\\s+\\S+\\s+rw`, 'm').test(list);
}

const bench: Bench = async () => {
	const dir = await mkdtemp(join(tmpdir(), 'image-bench-'));
	try {
		// A phone-like 12 MP photo: 4000 × 3000, JPEG q92, with camera EXIF and GPS.
		const raw = await generateTextileImage({ width: 4000, height: 3000, seed: 7, format: 'raw' });
		const input = join(dir, 'photo.jpg');
		await writeFile(
			input,
			await sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: 3 } })
				.blur(0.6)
				.jpeg({ quality: 92 })
				.withExif({
					IFD0: { Make: 'PhoneMaker', Model: 'Pocket 12' },
					IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 3/1 0/1' }
				})
				.toBuffer()
		);

		const ours = await measureOurs(input, dir);
		const shared = DERIVATIVE_FORMATS.filter(magickCanWrite);
		const onlyOurs = DERIVATIVE_FORMATS.filter((f) => !shared.includes(f));
		if (shared.length !== DERIVATIVE_FORMATS.length) {
			throw new Error(
				`ImageMagick cannot write ${onlyOurs.join(', ')}; the comparison would be unfair`
			);
		}
		const args = magickArgs(input, dir, ours.widths, DERIVATIVE_FORMATS);
		const magick: number[] = [];
		for (let i = 0; i < RUNS; i++) magick.push(await measureMagick(args, dir));
		const magickBytes = await formatBytes(dir, 'im', ours.widths);
		const magickJpegOnly = await measureMagick(magickArgs(input, dir, ours.widths, ['jpeg']), dir);

		const oursMs = Math.min(...ours.cpuMs);
		const magickMs = Math.min(...magick);
		const ourBytes = ours.bytes;
		const kb = (n: number | undefined) => `${Math.round((n ?? 0) / 1024)} KB`;
		const results: BenchResult[] = [
			{
				name: 'image_pipeline_cpu_ratio_vs_imagemagick',
				value: oursMs / 1000,
				unit: 's CPU',
				baseline: magickMs / 1000,
				ratio: oursMs / magickMs,
				target: '≤ 0.33',
				note:
					`12 MP JPEG → master + ${DERIVATIVE_FORMATS.join('+')} at ${ours.widths.join('/')}; ` +
					DERIVATIVE_FORMATS.map((f) => `${f} ${kb(ourBytes[f])} vs ${kb(magickBytes[f])}`).join(
						', '
					) +
					`; runs ${ours.cpuMs.map((ms) => (ms / 1000).toFixed(2)).join('/')} vs ${magick
						.map((ms) => (ms / 1000).toFixed(2))
						.join('/')} s`
			},
			{
				name: 'image_pipeline_jpeg_only_cpu_ratio_vs_imagemagick',
				value: ours.jpegOnlyCpuMs / 1000,
				unit: 's CPU',
				baseline: magickJpegOnly / 1000,
				ratio: ours.jpegOnlyCpuMs / magickJpegOnly,
				note: 'same run without AVIF: decode, master, resizes, JPEG derivatives'
			}
		];
		results.push(await measureHeicVsJpeg(input, dir));
		if (process.env.IMAGE_BENCH_SWEEP) await sweep(input);
		return results;
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
};

interface HeicReport {
	jpegMs: number[];
	heicMs: number[];
	jpegDecodeMs: number[];
	heicDecodeMs: number[];
}

function hasHeifEnc(): boolean {
	const list = spawnSync('heif-enc', ['--list-encoders'], { encoding: 'utf8' });
	return list.status === 0 && /x265/.test(list.stdout ?? '');
}

/**
 * The same photo as HEIC and as JPEG through the whole pipeline (master and every derivative), in
 * a fresh process, alternating so load from other processes hits both alike; plus the decode alone.
 */
async function measureHeicVsJpeg(jpeg: string, dir: string): Promise<BenchResult> {
	const name = 'image_pipeline_heic_vs_jpeg_cpu_ratio';
	if (!hasHeifEnc()) {
		return { name, value: Number.NaN, unit: 's CPU', note: 'skipped: no heif-enc with x265' };
	}
	const heic = join(dir, 'photo.heic');
	// Quality 60 gives about an iPhone's bytes per pixel (~3 MB for 12 MP of busy texture).
	await run('heif-enc', ['-q', '60', '-e', 'x265', '-o', heic, jpeg], { timeout: 600_000 });
	const script = join(dir, 'heic-child.mts');
	await writeFile(
		script,
		`import { readFile } from 'node:fs/promises';
import sharp from ${JSON.stringify(import.meta.resolve('sharp'))};
import { processImage } from ${JSON.stringify(pipelineModule)};
import { decodeHeic } from ${JSON.stringify(heicModule)};
const cpu = () => { const r = process.resourceUsage(); return (r.userCPUTime + r.systemCPUTime) / 1000; };
const time = async (fn) => { const before = cpu(); await fn(); return cpu() - before; };
const jpeg = await readFile(${JSON.stringify(jpeg)});
const heic = await readFile(${JSON.stringify(heic)});
const report = { jpegMs: [], heicMs: [], jpegDecodeMs: [], heicDecodeMs: [] };
for (let i = 0; i < ${RUNS}; i++) {
	report.jpegMs.push(await time(() => processImage(jpeg)));
	report.heicMs.push(await time(() => processImage(heic)));
	report.jpegDecodeMs.push(await time(() => sharp(jpeg).raw().toBuffer()));
	report.heicDecodeMs.push(await time(() => decodeHeic(heic, { maxPixels: 5e7, timeoutMs: 600000 })));
}
console.log(JSON.stringify(report));
`
	);
	const { stdout } = await run(process.execPath, ['--import', 'tsx', script], {
		cwd: fileURLToPath(new URL('../..', import.meta.url)),
		maxBuffer: 1 << 20,
		timeout: 600_000
	});
	const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as HeicReport;
	const heicMs = Math.min(...report.heicMs);
	const jpegMs = Math.min(...report.jpegMs);
	const heicDecode = Math.min(...report.heicDecodeMs);
	const jpegDecode = Math.min(...report.jpegDecodeMs);
	const kb = async (file: string) => Math.round((await stat(file)).size / 1024);
	return {
		name,
		value: heicMs / 1000,
		unit: 's CPU',
		baseline: jpegMs / 1000,
		ratio: heicMs / jpegMs,
		note:
			`12 MP HEIC (${await kb(heic)} KB) vs the same photo as JPEG (${await kb(jpeg)} KB), ` +
			`whole pipeline; decode alone ${(heicDecode / 1000).toFixed(2)} vs ` +
			`${(jpegDecode / 1000).toFixed(2)} s (${(heicDecode / jpegDecode).toFixed(1)}×)`
	};
}

/** Mean SSIM of the luma over 8 × 8 windows (step 4): enough to rank encoder settings. */
function ssim(a: Buffer, b: Buffer, width: number, height: number): number {
	const c1 = (0.01 * 255) ** 2;
	const c2 = (0.03 * 255) ** 2;
	let sum = 0;
	let n = 0;
	for (let y = 0; y + 8 <= height; y += 4) {
		for (let x = 0; x + 8 <= width; x += 4) {
			let ma = 0;
			let mb = 0;
			for (let j = 0; j < 8; j++) {
				for (let i = 0; i < 8; i++) {
					ma += a[(y + j) * width + x + i];
					mb += b[(y + j) * width + x + i];
				}
			}
			ma /= 64;
			mb /= 64;
			let va = 0;
			let vb = 0;
			let cov = 0;
			for (let j = 0; j < 8; j++) {
				for (let i = 0; i < 8; i++) {
					const da = a[(y + j) * width + x + i] - ma;
					const db = b[(y + j) * width + x + i] - mb;
					va += da * da;
					vb += db * db;
					cov += da * db;
				}
			}
			sum +=
				((2 * ma * mb + c1) * ((2 * cov) / 63 + c2)) /
				((ma * ma + mb * mb + c1) * (va / 63 + vb / 63 + c2));
			n++;
		}
	}
	return sum / n;
}

/** Prints bytes, CPU and SSIM of candidate encoder settings at 1280 px wide. */
async function sweep(input: string): Promise<void> {
	const { data, info } = await sharp(input)
		.resize({ width: 1280 })
		.raw()
		.toBuffer({ resolveWithObject: true });
	const raw = { width: info.width, height: info.height, channels: 3 as const };
	const luma = async (image: Buffer, rawInput?: typeof raw) =>
		await sharp(image, rawInput ? { raw: rawInput } : {})
			.greyscale()
			.raw()
			.toBuffer();
	const reference = await luma(data, raw);
	const candidates: Array<[string, (s: Sharp) => Sharp]> = [
		[
			'jpeg q80 progressive',
			(s) => s.jpeg({ quality: 80, progressive: true, optimiseCoding: true })
		],
		['jpeg q80 mozjpeg', (s) => s.jpeg({ quality: 80, mozjpeg: true })],
		['webp q75 effort 3', (s) => s.webp({ quality: 75, effort: 3 })],
		['webp q75 effort 4', (s) => s.webp({ quality: 75, effort: 4 })]
	];
	for (const effort of [0, 1, 2]) {
		for (const quality of [50, 55, 60, 65]) {
			candidates.push([`avif q${quality} effort ${effort}`, (s) => s.avif({ quality, effort })]);
		}
	}
	console.log('\n  setting                  CPU ms   bytes   SSIM');
	for (const [name, encode] of candidates) {
		const before = process.cpuUsage();
		const out = await encode(sharp(data, { raw })).toBuffer();
		const used = process.cpuUsage(before);
		const score = ssim(reference, await luma(out), info.width, info.height);
		console.log(
			`  ${name.padEnd(24)} ${String(Math.round((used.user + used.system) / 1000)).padStart(6)} ${String(out.length).padStart(7)}  ${score.toFixed(4)}`
		);
	}
}

export default bench;
