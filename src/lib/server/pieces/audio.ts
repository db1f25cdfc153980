/**
 * Just enough of WebM (Matroska/EBML), Ogg and MP4 to tell what a browser's MediaRecorder produced:
 * the container from its magic bytes, the audio codec, that there is no video, and the duration.
 * The duration is taken from the stream itself, not only from the header: Chrome's WebM carries no
 * Duration element and Safari's fragmented MP4 says 0 in `mvhd`, so the last block timestamp
 * (WebM), the last granule position (Ogg) or the sum of fragment sample durations (MP4) counts.
 * Anything that does not parse as one of these is refused; nothing here decodes audio.
 */

export type AudioContainer = 'webm' | 'ogg' | 'mp4';

export interface AudioInfo {
	container: AudioContainer;
	mimeType: 'audio/webm' | 'audio/ogg' | 'audio/mp4';
	codec: string;
	durationMs: number;
}

/** Thrown for anything that is not a recognisable audio-only WebM, Ogg or MP4. */
export class AudioFormatError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'AudioFormatError';
	}
}

const fail = (message: string): never => {
	throw new AudioFormatError(message);
};

/** Identifies and measures an audio file; throws {@link AudioFormatError}. */
export function inspectAudio(bytes: Uint8Array): AudioInfo {
	try {
		return inspect(bytes);
	} catch (error) {
		// Reads past the end (DataView) of a file cut short mean the same as a malformed one.
		if (error instanceof RangeError) throw new AudioFormatError('truncated');
		throw error;
	}
}

function inspect(bytes: Uint8Array): AudioInfo {
	if (bytes.length < 12) fail('too short');
	if (startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) return inspectWebm(bytes);
	if (startsWith(bytes, [0x4f, 0x67, 0x67, 0x53])) return inspectOgg(bytes);
	if (ascii(bytes, 4, 4) === 'ftyp') return inspectMp4(bytes);
	return fail('unknown container');
}

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
	return magic.every((b, i) => bytes[i] === b);
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
	return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

// ---------------------------------------------------------------------------------------------
// WebM / Matroska

const EBML = {
	header: 0x1a45dfa3,
	docType: 0x4282,
	segment: 0x18538067,
	info: 0x1549a966,
	timecodeScale: 0x2ad7b1,
	duration: 0x4489,
	tracks: 0x1654ae6b,
	trackEntry: 0xae,
	trackType: 0x83,
	codecId: 0x86,
	cluster: 0x1f43b675,
	clusterTimecode: 0xe7,
	simpleBlock: 0xa3,
	blockGroup: 0xa0,
	block: 0xa1
};
/** Master elements whose children are read in place (the rest are skipped by size). */
const DESCEND = new Set([
	EBML.header,
	EBML.segment,
	EBML.info,
	EBML.tracks,
	EBML.trackEntry,
	EBML.cluster,
	EBML.blockGroup
]);

function readVint(bytes: Uint8Array, offset: number, keepMarker: boolean) {
	const first = bytes[offset];
	if (first === undefined || first === 0) return fail('bad EBML number');
	const length = Math.clz32(first) - 23;
	if (offset + length > bytes.length) return fail('truncated EBML number');
	let value = keepMarker ? first : first & (0xff >> length);
	let allOnes = value === 0xff >> length;
	for (let i = 1; i < length; i++) {
		value = value * 256 + bytes[offset + i];
		if (bytes[offset + i] !== 0xff) allOnes = false;
	}
	return { value, length, unknown: !keepMarker && allOnes };
}

function readUint(bytes: Uint8Array, offset: number, size: number): number {
	let value = 0;
	for (let i = 0; i < size; i++) value = value * 256 + bytes[offset + i];
	return value;
}

function inspectWebm(bytes: Uint8Array): AudioInfo {
	let docType = '';
	let scale = 1_000_000;
	let declared = 0;
	let clusterTime = 0;
	let lastBlock = 0;
	let blocks = 0;
	const tracks: { type?: number; codec?: string }[] = [];
	let offset = 0;
	while (offset < bytes.length) {
		const id = readVint(bytes, offset, true);
		const size = readVint(bytes, offset + id.length, false);
		const start = offset + id.length + size.length;
		const end = size.unknown ? bytes.length : start + size.value;
		if (end > bytes.length && !DESCEND.has(id.value)) {
			// A recording cut short mid-block still ends at its last whole block.
			if (id.value === EBML.simpleBlock || id.value === EBML.block) break;
			fail('truncated element');
		}
		if (DESCEND.has(id.value)) {
			if (id.value === EBML.trackEntry) tracks.push({});
			offset = start;
			continue;
		}
		switch (id.value) {
			case EBML.docType:
				docType = ascii(bytes, start, size.value);
				break;
			case EBML.timecodeScale:
				scale = readUint(bytes, start, size.value);
				break;
			case EBML.duration: {
				const view = new DataView(bytes.buffer, bytes.byteOffset + start, size.value);
				declared = size.value === 4 ? view.getFloat32(0) : view.getFloat64(0);
				break;
			}
			case EBML.trackType:
				(tracks.at(-1) ?? fail('track field outside a track')).type = readUint(
					bytes,
					start,
					size.value
				);
				break;
			case EBML.codecId:
				(tracks.at(-1) ?? fail('track field outside a track')).codec = ascii(
					bytes,
					start,
					size.value
				);
				break;
			case EBML.clusterTimecode:
				clusterTime = readUint(bytes, start, size.value);
				break;
			case EBML.simpleBlock:
			case EBML.block: {
				const track = readVint(bytes, start, false);
				const relative = new DataView(bytes.buffer, bytes.byteOffset + start + track.length, 2);
				lastBlock = Math.max(lastBlock, clusterTime + relative.getInt16(0));
				blocks++;
				break;
			}
		}
		offset = end;
	}
	if (docType !== 'webm' && docType !== 'matroska') fail(`doc type ${docType || 'missing'}`);
	if (tracks.length !== 1 || tracks[0].type !== 2) fail('not exactly one audio track');
	const codec = tracks[0].codec ?? '';
	if (codec !== 'A_OPUS' && codec !== 'A_VORBIS') fail(`codec ${codec || 'missing'}`);
	if (blocks === 0) fail('no audio blocks');
	const ms = (Math.max(declared, lastBlock) * scale) / 1_000_000;
	return { container: 'webm', mimeType: 'audio/webm', codec, durationMs: Math.round(ms) };
}

// ---------------------------------------------------------------------------------------------
// Ogg (Opus or Vorbis, one logical stream)

function inspectOgg(bytes: Uint8Array): AudioInfo {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	let offset = 0;
	let serial: number | null = null;
	let codec = '';
	let rate = 0;
	let preSkip = 0;
	let lastGranule = 0;
	let pages = 0;
	while (offset < bytes.length) {
		if (offset + 27 > bytes.length || ascii(bytes, offset, 4) !== 'OggS') fail('bad Ogg page');
		if (bytes[offset + 4] !== 0) fail('Ogg version');
		const granule = Number(view.getBigInt64(offset + 6, true));
		const pageSerial = view.getUint32(offset + 14, true);
		const segments = bytes[offset + 26];
		if (offset + 27 + segments > bytes.length) fail('truncated Ogg page');
		let body = 0;
		for (let i = 0; i < segments; i++) body += bytes[offset + 27 + i];
		const start = offset + 27 + segments;
		if (start + body > bytes.length) fail('truncated Ogg page');
		if (serial === null) {
			serial = pageSerial;
			if (ascii(bytes, start, 8) === 'OpusHead') {
				codec = 'opus';
				rate = 48_000;
				preSkip = view.getUint16(start + 10, true);
			} else if (bytes[start] === 1 && ascii(bytes, start + 1, 6) === 'vorbis') {
				codec = 'vorbis';
				rate = view.getUint32(start + 12, true);
			} else {
				fail('Ogg stream is neither Opus nor Vorbis');
			}
		} else if (pageSerial !== serial) {
			fail('more than one Ogg stream');
		}
		if (granule > 0) lastGranule = Math.max(lastGranule, granule);
		pages++;
		offset = start + body;
	}
	if (pages < 2 || rate <= 0) fail('no audio pages');
	const ms = (Math.max(0, lastGranule - preSkip) / rate) * 1000;
	return { container: 'ogg', mimeType: 'audio/ogg', codec, durationMs: Math.round(ms) };
}

// ---------------------------------------------------------------------------------------------
// MP4 / ISO BMFF (AAC or Opus, as Safari records)

interface Box {
	type: string;
	start: number;
	end: number;
}

function boxes(bytes: Uint8Array, from: number, to: number): Box[] {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const found: Box[] = [];
	let offset = from;
	while (offset + 8 <= to) {
		let size = view.getUint32(offset);
		let header = 8;
		if (size === 1) {
			if (offset + 16 > to) fail('truncated box');
			size = Number(view.getBigUint64(offset + 8));
			header = 16;
		} else if (size === 0) {
			size = to - offset;
		}
		if (size < header || offset + size > to) fail('bad box size');
		found.push({ type: ascii(bytes, offset + 4, 4), start: offset + header, end: offset + size });
		offset += size;
	}
	return found;
}

function inspectMp4(bytes: Uint8Array): AudioInfo {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const top = boxes(bytes, 0, bytes.length);
	const moov = top.find((b) => b.type === 'moov') ?? fail('no moov');
	const inMoov = boxes(bytes, moov.start, moov.end);
	const mvhd = inMoov.find((b) => b.type === 'mvhd') ?? fail('no mvhd');
	const v1 = bytes[mvhd.start] === 1;
	const movieScale = view.getUint32(mvhd.start + (v1 ? 20 : 12));
	let duration = v1 ? Number(view.getBigUint64(mvhd.start + 24)) : view.getUint32(mvhd.start + 16);
	const traks = inMoov.filter((b) => b.type === 'trak');
	if (traks.length !== 1) fail('not exactly one track');
	const mdia = find(bytes, traks[0], 'mdia');
	const hdlr = find(bytes, mdia, 'hdlr');
	if (ascii(bytes, hdlr.start + 8, 4) !== 'soun') fail('not an audio track');
	const mdhd = find(bytes, mdia, 'mdhd');
	const trackScale = view.getUint32(mdhd.start + (bytes[mdhd.start] === 1 ? 20 : 12));
	const stsd = find(bytes, find(bytes, find(bytes, mdia, 'minf'), 'stbl'), 'stsd');
	const codec = ascii(bytes, stsd.start + 12, 4);
	if (codec !== 'mp4a' && codec !== 'Opus') fail(`codec ${codec}`);
	if (!(movieScale > 0) || !(trackScale > 0)) fail('bad timescale');
	let ms = (duration / movieScale) * 1000;
	if (duration === 0) {
		// Fragmented: the movie header says nothing, the fragments' runs say how long they are.
		const mvex = inMoov.find((b) => b.type === 'mvex');
		const trex = mvex && boxes(bytes, mvex.start, mvex.end).find((b) => b.type === 'trex');
		const defaultDuration = trex ? view.getUint32(trex.start + 12) : 0;
		duration = 0;
		for (const moof of top.filter((b) => b.type === 'moof')) {
			for (const traf of boxes(bytes, moof.start, moof.end).filter((b) => b.type === 'traf')) {
				duration += fragmentDuration(bytes, view, traf, defaultDuration);
			}
		}
		ms = (duration / trackScale) * 1000;
	}
	return { container: 'mp4', mimeType: 'audio/mp4', codec, durationMs: Math.round(ms) };
}

function find(bytes: Uint8Array, parent: Box, type: string): Box {
	return boxes(bytes, parent.start, parent.end).find((b) => b.type === type) ?? fail(`no ${type}`);
}

function fragmentDuration(bytes: Uint8Array, view: DataView, traf: Box, fallback: number): number {
	const children = boxes(bytes, traf.start, traf.end);
	const tfhd = children.find((b) => b.type === 'tfhd') ?? fail('no tfhd');
	const tfhdFlags = view.getUint32(tfhd.start) & 0xffffff;
	let offset = tfhd.start + 8;
	if (tfhdFlags & 0x1) offset += 8;
	if (tfhdFlags & 0x2) offset += 4;
	const defaultDuration = tfhdFlags & 0x8 ? view.getUint32(offset) : fallback;
	let total = 0;
	for (const trun of children.filter((b) => b.type === 'trun')) {
		const flags = view.getUint32(trun.start) & 0xffffff;
		const count = view.getUint32(trun.start + 4);
		let at = trun.start + 8 + (flags & 0x1 ? 4 : 0) + (flags & 0x4 ? 4 : 0);
		const perSample =
			(flags & 0x100 ? 4 : 0) +
			(flags & 0x200 ? 4 : 0) +
			(flags & 0x400 ? 4 : 0) +
			(flags & 0x800 ? 4 : 0);
		if (at + count * perSample > trun.end) fail('truncated trun');
		for (let i = 0; i < count; i++) {
			total += flags & 0x100 ? view.getUint32(at) : defaultDuration;
			at += perSample;
		}
	}
	return total;
}
