import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { ImageError, type ImageErrorCode } from './errors.ts';

const require = createRequire(import.meta.url);
const GLUE = require.resolve('libheif-js/libheif-wasm/libheif.js');
const WASM = require.resolve('libheif-js/libheif-wasm/libheif.wasm');

/** Decoded pixels, already rotated and mirrored as the file's irot/imir boxes say. */
export interface DecodedHeic {
	width: number;
	height: number;
	channels: 3 | 4;
	/**
	 * Interleaved 8-bit pixels, or, when an ICC profile was given, a PNG carrying the pixels and
	 * that profile, so that sharp converts the colours (sharp cannot attach a profile to raw input).
	 */
	data: Buffer;
	format: 'raw' | 'png';
}

export interface DecodeHeicOptions {
	/** Refused before any pixel is decoded when width × height of the primary image is larger. */
	maxPixels: number;
	/** The worker is terminated after this long; a decoder that hangs cannot hold the server. */
	timeoutMs: number;
	/** The file's embedded colour profile (sharp's `metadata().icc`), e.g. an iPhone's Display P3. */
	icc?: Buffer;
}

/**
 * The worker's source, as a string: workers need a file or a script, and a file next to this module
 * would not be part of the server build. It runs one decode on a fresh WebAssembly instance, so
 * memory a crafted file might read or corrupt never holds another upload's pixels (libheif has
 * had heap disclosure and overflow bugs; in WebAssembly they stay inside the instance).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { deflateSync, crc32 } = require('node:zlib');
const notes = [];
// libheif-js reports failures on the console; they go into the error message instead.
console.log = console.warn = console.error = (...args) => notes.push(args.join(' '));
const { wasm, glue, input, maxPixels, icc } = workerData;
const fail = (code, message) =>
	parentPort.postMessage({ error: code, message: [message, ...notes].join('; ') });
const chunk = (type, data) => {
	const head = Buffer.alloc(8);
	head.writeUInt32BE(data.length);
	head.write(type, 4, 'latin1');
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))));
	return Buffer.concat([head, data, crc]);
};
const lib = require(glue)({
	instantiateWasm(imports, done) {
		const instance = new WebAssembly.Instance(wasm, imports);
		done(instance, wasm);
		return instance.exports;
	},
	print: (text) => notes.push(text),
	printErr: (text) => notes.push(text)
});
(async () => {
	await lib.ready;
	const ok = lib.heif_error_code.heif_error_Ok;
	const context = lib.heif_context_alloc();
	const read = lib.heif_context_read_from_memory(context, input);
	if (read.code !== ok) return fail('image_corrupt', read.message);
	const handle = lib.heif_js_context_get_primary_image_handle(context);
	if (!handle || handle.code) return fail('image_corrupt', handle ? handle.message : 'no primary image');
	const width = lib.heif_image_handle_get_width(handle);
	const height = lib.heif_image_handle_get_height(handle);
	if (!(width > 0 && height > 0)) return fail('image_corrupt', 'no image size');
	if (width * height > maxPixels) {
		return fail('image_too_many_pixels', width + 'x' + height + ' exceeds the pixel limit');
	}
	const channels = lib.heif_image_handle_has_alpha_channel(handle) ? 4 : 3;
	const chroma = channels === 4 ? 'heif_chroma_interleaved_RGBA' : 'heif_chroma_interleaved_RGB';
	const image = lib.heif_js_decode_image2(
		handle,
		lib.heif_colorspace.heif_colorspace_RGB,
		lib.heif_chroma[chroma]
	);
	if (!image || !image.channels) return fail('image_corrupt', image ? image.message : 'decode failed');
	const plane = image.channels.find((c) => c.id === lib.heif_channel.heif_channel_interleaved);
	if (!plane || plane.width !== width || plane.height !== height || plane.bits_per_pixel !== 8) {
		return fail('image_corrupt', 'unexpected decoded plane');
	}
	// The plane is a view into the instance's memory, rows padded to the stride: copy it out.
	const row = width * channels;
	const png = Boolean(icc);
	const pixels = Buffer.alloc((row + (png ? 1 : 0)) * height);
	for (let y = 0; y < height; y++) {
		// PNG rows start with a filter type byte, 0 (none).
		const at = y * (row + (png ? 1 : 0)) + (png ? 1 : 0);
		pixels.set(plane.data.subarray(y * plane.stride, y * plane.stride + row), at);
	}
	let data = pixels;
	if (png) {
		const header = Buffer.alloc(13);
		header.writeUInt32BE(width, 0);
		header.writeUInt32BE(height, 4);
		header.set([8, channels === 4 ? 6 : 2, 0, 0, 0], 8);
		data = Buffer.concat([
			Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
			chunk('IHDR', header),
			chunk('iCCP', Buffer.concat([Buffer.from('icc\\0\\0', 'latin1'), deflateSync(icc)])),
			// Level 0: the PNG only carries the pixels to sharp in memory; compressing them would cost CPU.
			chunk('IDAT', deflateSync(pixels, { level: 0 })),
			chunk('IEND', Buffer.alloc(0))
		]);
	}
	const out = new Uint8Array(data.buffer, data.byteOffset, data.length);
	parentPort.postMessage({ width, height, channels, format: png ? 'png' : 'raw', data: out }, [
		out.buffer
	]);
})().catch((error) => fail('image_corrupt', String(error && error.message ? error.message : error)));
`;

let compiled: Promise<WebAssembly.Module> | undefined;

/** libheif compiled once per process; each decode instantiates it afresh (~20–50 ms CPU). */
function wasmModule(): Promise<WebAssembly.Module> {
	compiled ??= readFile(WASM)
		.then((bytes) => WebAssembly.compile(bytes))
		.catch((error: unknown) => {
			compiled = undefined;
			throw error;
		});
	return compiled;
}

interface WorkerAnswer {
	error?: ImageErrorCode;
	message?: string;
	width?: number;
	height?: number;
	channels?: 3 | 4;
	format?: 'raw' | 'png';
	data?: Uint8Array;
}

/**
 * Decodes the primary image of a HEIC file (HEVC) with libheif compiled to WebAssembly
 * (libheif-js), for when sharp's own libvips has no HEVC decoder. Runs in a worker thread of its
 * own, so the event loop keeps serving while it works, and the worker is ended on timeout.
 *
 * @throws {ImageError} `image_too_many_pixels` from the header, `image_corrupt` for anything the
 * decoder refuses, crashes on or does not finish in time.
 */
export async function decodeHeic(input: Buffer, options: DecodeHeicOptions): Promise<DecodedHeic> {
	const wasm = await wasmModule();
	const bytes = new Uint8Array(input);
	const worker = new Worker(WORKER_SOURCE, {
		eval: true,
		workerData: { wasm, glue: GLUE, input: bytes, maxPixels: options.maxPixels, icc: options.icc },
		transferList: [bytes.buffer],
		// The pixels live in WebAssembly memory and buffers; the JavaScript heap stays small.
		resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
		stdout: true,
		stderr: true
	});
	try {
		const answer = await new Promise<WorkerAnswer>((resolve, reject) => {
			const timer = setTimeout(() => {
				reject(
					new ImageError('image_corrupt', `HEIC decode did not finish in ${options.timeoutMs} ms`)
				);
			}, options.timeoutMs);
			worker.once('message', (message: WorkerAnswer) => {
				clearTimeout(timer);
				resolve(message);
			});
			worker.once('error', (error: unknown) => {
				clearTimeout(timer);
				const message = error instanceof Error ? error.message : String(error);
				reject(new ImageError('image_corrupt', `HEIC decoder failed: ${message}`));
			});
			worker.once('exit', (code) => {
				clearTimeout(timer);
				reject(new ImageError('image_corrupt', `HEIC decoder exited with ${code}`));
			});
		});
		if (answer.error || !answer.data || !answer.width || !answer.height || !answer.channels) {
			throw new ImageError(answer.error ?? 'image_corrupt', answer.message);
		}
		return {
			width: answer.width,
			height: answer.height,
			channels: answer.channels,
			format: answer.format ?? 'raw',
			data: Buffer.from(answer.data.buffer, answer.data.byteOffset, answer.data.length)
		};
	} finally {
		await worker.terminate();
	}
}
