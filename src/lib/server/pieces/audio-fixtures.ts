/**
 * Small real recordings for tests, written byte by byte (no ffmpeg on the build machines): Opus
 * silence (the 3-byte 20 ms CELT frame `F8 FF FE`) in Ogg and WebM, as Firefox and Chrome's
 * MediaRecorder produce them, and a fragmented MP4 shaped like Safari's (AAC track, duration only
 * in the fragments). The Ogg pages carry correct CRCs, so players accept them too.
 */

const SILENCE = [0xf8, 0xff, 0xfe];
const FRAME_MS = 20;

function opusHead(): number[] {
	// "OpusHead", version 1, 1 channel, pre-skip 312, 48 kHz, gain 0, mapping 0.
	return [...ascii('OpusHead'), 1, 1, ...le16(312), ...le32(48_000), 0, 0, 0];
}

function ascii(text: string): number[] {
	return [...text].map((c) => c.charCodeAt(0));
}
function le16(n: number): number[] {
	return [n & 0xff, (n >> 8) & 0xff];
}
function le32(n: number): number[] {
	return [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
}
function be(n: number, size: number): number[] {
	const out: number[] = [];
	for (let i = size - 1; i >= 0; i--) out.push(Math.floor(n / 2 ** (8 * i)) & 0xff);
	return out;
}

// ---------------------------------------------------------------------------------------------
// Ogg

const CRC_TABLE = Array.from({ length: 256 }, (_, i) => {
	let r = i << 24;
	for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
	return r >>> 0;
});

function oggPage(packets: number[][], granule: bigint, sequence: number, flags: number): number[] {
	const lacing: number[] = [];
	for (const p of packets) {
		for (let left = p.length; ; left -= 255) {
			lacing.push(Math.min(left, 255));
			if (left < 255) break;
		}
	}
	const granuleBytes: number[] = [];
	for (let i = 0n; i < 8n; i++) granuleBytes.push(Number((granule >> (8n * i)) & 0xffn));
	const page = [
		...ascii('OggS'),
		0,
		flags,
		...granuleBytes,
		...le32(0x5ea1),
		...le32(sequence),
		0,
		0,
		0,
		0,
		lacing.length,
		...lacing,
		...packets.flat()
	];
	let crc = 0;
	for (const b of page) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xff]) >>> 0;
	page.splice(22, 4, ...le32(crc));
	return page;
}

/** An Ogg Opus file of `seconds` of silence (50 packets per page, one page per second). */
export function oggOpus(seconds: number): Uint8Array {
	const bytes = [
		...oggPage([opusHead()], 0n, 0, 0x02),
		...oggPage([[...ascii('OpusTags'), ...le32(4), ...ascii('test'), ...le32(0)]], 0n, 1, 0)
	];
	const frames = Math.round((seconds * 1000) / FRAME_MS);
	let sequence = 2;
	for (let done = 0; done < frames;) {
		const count = Math.min(50, frames - done);
		done += count;
		const last = done === frames;
		const granule = BigInt(312 + done * 960);
		bytes.push(...oggPage(Array(count).fill(SILENCE), granule, sequence++, last ? 0x04 : 0));
	}
	return Uint8Array.from(bytes);
}

// ---------------------------------------------------------------------------------------------
// WebM

function ebmlSize(n: number): number[] {
	return [0x01, ...be(n, 7)]; // 8-byte size: simple and always valid
}
function el(id: number[], body: number[]): number[] {
	return [...id, ...ebmlSize(body.length), ...body];
}
const UNKNOWN_SIZE = [0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

export interface WebmOptions {
	/** Write a Duration element in Info (Chrome leaves it out). */
	declaredMs?: number;
	codec?: string;
	/** Add a video track as well. */
	video?: boolean;
}

/**
 * A WebM Opus file of `seconds` of silence, shaped like Chrome's: Segment and Clusters of unknown
 * size, no Duration unless asked, one SimpleBlock per 20 ms frame, a Cluster per second.
 */
export function webmOpus(seconds: number, options: WebmOptions = {}): Uint8Array {
	const header = el([0x1a, 0x45, 0xdf, 0xa3], [...el([0x42, 0x82], ascii('webm'))]);
	const info = el(
		[0x15, 0x49, 0xa9, 0x66],
		[
			...el([0x2a, 0xd7, 0xb1], be(1_000_000, 3)),
			...(options.declaredMs !== undefined
				? el(
						[0x44, 0x89],
						[...new Uint8Array(new Float64Array([options.declaredMs]).buffer)].reverse()
					)
				: [])
		]
	);
	const audio = el(
		[0xae],
		[
			...el([0xd7], [1]),
			...el([0x73, 0xc5], [1]),
			...el([0x83], [2]),
			...el([0x86], ascii(options.codec ?? 'A_OPUS')),
			...el([0x63, 0xa2], opusHead()),
			...el([0xe1], [...el([0xb5], [0x40, 0xe7, 0x70, 0x00, 0, 0, 0, 0]), ...el([0x9f], [1])])
		]
	);
	const video = options.video
		? el([0xae], [...el([0xd7], [2]), ...el([0x83], [1]), ...el([0x86], ascii('V_VP8'))])
		: [];
	const tracks = el([0x16, 0x54, 0xae, 0x6b], [...audio, ...video]);
	const clusters: number[] = [];
	const frames = Math.round((seconds * 1000) / FRAME_MS);
	for (let start = 0; start < frames; start += 50) {
		clusters.push(0x1f, 0x43, 0xb6, 0x75, ...UNKNOWN_SIZE);
		clusters.push(...el([0xe7], be(start * FRAME_MS, 4)));
		for (let i = 0; i < Math.min(50, frames - start); i++) {
			// Track 1, relative timecode, flags (keyframe), the frame.
			clusters.push(...el([0xa3], [0x81, ...be(i * FRAME_MS, 2), 0x80, ...SILENCE]));
		}
	}
	return Uint8Array.from([
		...header,
		0x18,
		0x53,
		0x80,
		0x67,
		...UNKNOWN_SIZE,
		...info,
		...tracks,
		...clusters
	]);
}

// ---------------------------------------------------------------------------------------------
// MP4

function box(type: string, body: number[]): number[] {
	return [...be(body.length + 8, 4), ...ascii(type), ...body];
}
function fullBox(type: string, version: number, flags: number, body: number[]): number[] {
	return box(type, [version, ...be(flags, 3), ...body]);
}

/**
 * A fragmented MP4 with one AAC track of `seconds`, as Safari records: `mvhd` duration 0, one
 * fragment per second whose `trun` lists 1024-sample frames at 44.1 kHz. The sample bytes are
 * placeholders (the validator reads structure, not audio).
 */
export function fragmentedMp4(seconds: number, handler = 'soun'): Uint8Array {
	const scale = 44_100;
	const ftyp = box('ftyp', [...ascii('iso5'), 0, 0, 2, 0, ...ascii('iso5'), ...ascii('mp41')]);
	const mvhd = fullBox('mvhd', 0, 0, [
		...be(0, 8),
		...be(1000, 4),
		...be(0, 4),
		...Array(80).fill(0)
	]);
	const mdhd = fullBox('mdhd', 0, 0, [...be(0, 8), ...be(scale, 4), ...be(0, 4), 0x55, 0xc4, 0, 0]);
	const hdlr = fullBox('hdlr', 0, 0, [...be(0, 4), ...ascii(handler), ...Array(12).fill(0), 0]);
	const stsd = fullBox('stsd', 0, 0, [...be(1, 4), ...box('mp4a', Array(28).fill(0))]);
	const trak = box('trak', [
		...fullBox('tkhd', 0, 3, Array(80).fill(0)),
		...box('mdia', [...mdhd, ...hdlr, ...box('minf', box('stbl', stsd))])
	]);
	const mvex = box(
		'mvex',
		fullBox('trex', 0, 0, [...be(1, 4), ...be(1, 4), ...be(1024, 4), 0, 0, 0, 0, 0, 0, 0, 0])
	);
	const moov = box('moov', [...mvhd, ...trak, ...mvex]);
	const fragments: number[] = [];
	const framesPerSecond = Math.round(scale / 1024);
	for (let s = 0; s < seconds; s++) {
		// trun flags 0x300: per-sample duration and size.
		const samples: number[] = [];
		for (let i = 0; i < framesPerSecond; i++) samples.push(...be(1024, 4), ...be(6, 4));
		const traf = box('traf', [
			...fullBox('tfhd', 0, 0x20000, be(1, 4)),
			...fullBox('trun', 0, 0x300, [...be(framesPerSecond, 4), ...samples])
		]);
		fragments.push(...box('moof', [...fullBox('mfhd', 0, 0, be(s + 1, 4)), ...traf]));
		fragments.push(...box('mdat', Array(6 * framesPerSecond).fill(0)));
	}
	return Uint8Array.from([...ftyp, ...moov, ...fragments]);
}
