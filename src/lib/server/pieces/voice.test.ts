import { describe, expect, it } from 'vitest';
import de from '../../i18n/messages/piece/de.json' with { type: 'json' };
import { fragmentedMp4, oggOpus, webmOpus } from './audio-fixtures.ts';
import { inspectAudio } from './audio.ts';
import { validateVoiceNote, VOICE_MAX_BYTES, type VoiceErrorCode } from './voice.ts';

const refusal = (bytes: Uint8Array): VoiceErrorCode | null => {
	try {
		validateVoiceNote(bytes);
		return null;
	} catch (error) {
		return (error as { code: VoiceErrorCode }).code;
	}
};

describe('voice note validation', () => {
	it.each([
		['Ogg Opus (Firefox)', oggOpus(5), 'audio/ogg', 'opus', 5000],
		['WebM Opus without Duration (Chrome)', webmOpus(5), 'audio/webm', 'A_OPUS', 4980],
		['WebM Opus with Duration', webmOpus(5, { declaredMs: 5000 }), 'audio/webm', 'A_OPUS', 5000],
		['fragmented MP4 AAC (Safari)', fragmentedMp4(30), 'audio/mp4', 'mp4a', 30_000],
		['three minutes exactly', oggOpus(180), 'audio/ogg', 'opus', 180_000]
	])('accepts %s and measures it', (_name, bytes, mimeType, codec, ms) => {
		const info = validateVoiceNote(bytes);
		expect(info).toMatchObject({ mimeType, codec });
		expect(Math.abs(info.durationMs - ms)).toBeLessThan(150);
	});

	it.each<[string, Uint8Array, VoiceErrorCode]>([
		['over three minutes (Ogg)', oggOpus(185), 'piece_voice_too_long'],
		['over three minutes in a WebM without Duration', webmOpus(200), 'piece_voice_too_long'],
		[
			'a WebM whose Duration claims less than its blocks',
			webmOpus(200, { declaredMs: 10_000 }),
			'piece_voice_too_long'
		],
		['over three minutes in MP4 fragments', fragmentedMp4(190), 'piece_voice_too_long'],
		['a WebM with a video track', webmOpus(3, { video: true }), 'piece_voice_unsupported'],
		['a WebM with another codec', webmOpus(3, { codec: 'A_AAC' }), 'piece_voice_unsupported'],
		['an MP4 video track', fragmentedMp4(3, 'vide'), 'piece_voice_unsupported'],
		['an Ogg cut in the middle of a page', oggOpus(3).slice(0, 200), 'piece_voice_unsupported'],
		[
			'two Ogg streams chained',
			Uint8Array.from([...oggOpus(2), ...oggOpus(2).map((b, i) => (i === 14 ? b ^ 1 : b))]),
			'piece_voice_unsupported'
		],
		[
			'a PNG',
			Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72]),
			'piece_voice_unsupported'
		],
		[
			'HTML pretending to be audio',
			new TextEncoder().encode('<html><script>alert(1)</script></html>'),
			'piece_voice_unsupported'
		],
		['an empty body', new Uint8Array(), 'piece_voice_empty'],
		['a recording shorter than half a second', oggOpus(0.2), 'piece_voice_empty'],
		['more than 5 MB', new Uint8Array(VOICE_MAX_BYTES + 1), 'piece_voice_too_large']
	])('refuses %s', (_name, bytes, code) => {
		expect(refusal(bytes)).toBe(code);
		expect((de as Record<string, string>)[code]).toBeTruthy();
	});

	it('never throws anything but a format error on damaged input', () => {
		const sources = [oggOpus(2), webmOpus(2), fragmentedMp4(2)];
		for (const source of sources) {
			for (let cut = 1; cut < source.length; cut += 7) {
				const code = refusal(source.slice(0, cut));
				expect(code === null || code.startsWith('piece_voice_')).toBe(true);
			}
		}
		expect(() =>
			inspectAudio(Uint8Array.from([0x1a, 0x45, 0xdf, 0xa3, 0, 0, 0, 0, 0, 0, 0, 0]))
		).toThrow();
	});
});
