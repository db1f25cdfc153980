/**
 * A new piece against the real stack: photo processing (the code behind
 * `POST /api/uploads/[id]/process`), texts, consent and submitting. Every refusal carries a code
 * that has a message in all five languages and leaves no row and no object behind.
 */
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, testDbKinds, type TestStack } from '../../helpers/stack.ts';
import { adminClient, JOHANNSTADT, joinAsParticipant } from '../participant/support.ts';
import { processUpload, MAX_PHOTOS } from '../../../src/lib/server/pieces/photos.ts';
import { isPieceError } from '../../../src/lib/server/pieces/errors.ts';
import { saveText, type TextInput } from '../../../src/lib/server/pieces/texts.ts';
import { giveConsent } from '../../../src/lib/server/pieces/consent.ts';
import { createDraft, submitPiece } from '../../../src/lib/server/pieces/drafts.ts';
import { parseStoryJson, validateStory } from '../../../src/lib/richtext/validate.ts';

const LOCALES = ['de', 'en', 'uk', 'ar', 'fa'];
const messages = LOCALES.map(
	(l) => JSON.parse(readFileSync(`src/lib/i18n/messages/piece/${l}.json`, 'utf8')) as object
);
function expectTranslated(code: string) {
	for (const file of messages) expect(file, code).toHaveProperty(code);
}

async function gpsJpeg(width = 900, height = 700): Promise<Buffer> {
	return sharp({ create: { width, height, channels: 3, background: '#7a3b2e' } })
		.withExif({
			IFD0: { Make: 'PhoneMaker', Model: 'Phone 12' },
			IFD3: {
				GPSLatitudeRef: 'N',
				GPSLatitude: '51/1 3/1 0/1',
				GPSLongitudeRef: 'E',
				GPSLongitude: '13/1 44/1 0/1'
			}
		})
		.jpeg()
		.toBuffer();
}

/** A valid PNG whose header claims `width × height` (a pixel flood), with one tiny IDAT. */
function pngClaiming(width: number, height: number): Buffer {
	const crcTable = Array.from({ length: 256 }, (_, n) => {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		return c >>> 0;
	});
	const crc = (buf: Buffer) => {
		let c = 0xffffffff;
		for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
		return (c ^ 0xffffffff) >>> 0;
	};
	const chunk = (type: string, data: Buffer) => {
		const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
		const out = Buffer.alloc(8 + data.length + 4);
		out.writeUInt32BE(data.length, 0);
		body.copy(out, 4);
		out.writeUInt32BE(crc(body), 8 + data.length);
		return out;
	};
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(width, 0);
	ihdr.writeUInt32BE(height, 4);
	ihdr.set([8, 2, 0, 0, 0], 8);
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', ihdr),
		chunk('IDAT', deflateSync(Buffer.alloc(1 + width * 3 > 4096 ? 4096 : 1 + width * 3))),
		chunk('IEND', Buffer.alloc(0))
	]);
}

describe.each(testDbKinds())('a new piece on %s', (kind) => {
	let stack: TestStack;
	let admin: SupabaseClient;
	let p: { supabase: SupabaseClient; userId: string };
	beforeAll(async () => {
		stack = await startTestStack({ kind });
		admin = adminClient(stack);
		p = await joinAsParticipant(stack, 'Оксана');
	});
	afterAll(async () => {
		await stack?.close();
	});

	const newPiece = async () => {
		const id = await createDraft(p.supabase, p.userId, JOHANNSTADT, 'uk');
		if (!id) throw new Error('no draft');
		return id;
	};
	const uploadOriginal = async (bytes: Buffer, type = 'image/jpeg') => {
		const uploadId = crypto.randomUUID();
		const { error } = await p.supabase.storage
			.from('originals')
			.upload(`${p.userId}/${uploadId}`, bytes, { contentType: type });
		if (error) throw error;
		return uploadId;
	};
	const process = (pieceId: string, uploadId: string, role = 'front') =>
		processUpload({ supabase: p.supabase, admin, userId: p.userId, uploadId, pieceId, role });
	const objects = async (bucket: string, prefix: string) => {
		const { data, error } = await admin.storage.from(bucket).list(prefix, { limit: 1000 });
		if (error) throw error;
		return data.map((o) => o.name);
	};
	const photoRows = async (pieceId: string) => {
		const { data, error } = await admin.from('piece_photos').select('id').eq('piece_id', pieceId);
		if (error) throw error;
		return data;
	};
	/** Refused with `code`, and neither the original, nor a row, nor a master remains. */
	const expectRefused = async (pieceId: string, uploadId: string, code: string) => {
		const before = (await photoRows(pieceId)).length;
		const error = await process(pieceId, uploadId).then(
			() => null,
			(e: unknown) => e
		);
		expect(isPieceError(error) ? error.code : error).toBe(code);
		expectTranslated(code);
		expect(await objects('originals', p.userId)).not.toContain(uploadId);
		expect(await photoRows(pieceId)).toHaveLength(before);
		if (before === 0) expect(await objects('masters', `${p.userId}/${pieceId}`)).toEqual([]);
	};

	it('stores a scrubbed master and derivatives, then deletes the original', async () => {
		const pieceId = await newPiece();
		const uploadId = await uploadOriginal(await gpsJpeg());
		const photo = await process(pieceId, uploadId, 'detail');
		expect(photo).toMatchObject({ position: 0, role: 'detail', width: 900, height: 700 });
		expect(photo.removed).toEqual({ location: true, camera: true });
		expect(await objects('originals', p.userId)).not.toContain(uploadId);
		const { data: row } = await admin
			.from('piece_photos')
			.select('master_path, variants')
			.eq('id', photo.id)
			.single();
		const paths = [
			row!.master_path as string,
			...Object.values(row!.variants as Record<string, Record<string, string>>).flatMap((v) =>
				Object.values(v)
			)
		];
		expect(paths.length).toBeGreaterThan(4);
		for (const path of paths) {
			expect(path.startsWith(`${p.userId}/${pieceId}/${photo.id}/`)).toBe(true);
			const { data, error } = await admin.storage.from('masters').download(path);
			expect(error).toBeNull();
			const meta = await sharp(Buffer.from(await data!.arrayBuffer())).metadata();
			expect([meta.exif, meta.xmp, meta.iptc], path).toEqual([undefined, undefined, undefined]);
		}
	});

	it('accepts an iPhone HEIC (HEVC) and removes its location (C28)', async () => {
		const pieceId = await newPiece();
		const heic = readFileSync('tests/fixtures/images/iphone-gps-p3.heic');
		const photo = await process(pieceId, await uploadOriginal(heic, 'image/heic'));
		expect(photo).toMatchObject({ width: 1200, height: 900 });
		expect(photo.removed).toEqual({ location: true, camera: true });
		const { data: row } = await admin
			.from('piece_photos')
			.select('master_path')
			.eq('id', photo.id)
			.single();
		const { data } = await admin.storage.from('masters').download(row!.master_path as string);
		const meta = await sharp(Buffer.from(await data!.arrayBuffer())).metadata();
		expect([meta.format, meta.exif]).toEqual(['jpeg', undefined]);
	});

	it('refuses spoofed types, SVG, pixel floods and corrupt files', async () => {
		const pieceId = await newPiece();
		const html = Buffer.from('<html><script>alert(1)</script></html>');
		await expectRefused(pieceId, await uploadOriginal(html), 'image_unsupported_type');
		const svg = Buffer.from(
			'<svg xmlns="http://www.w3.org/2000/svg" width="2000" height="2000"><script>alert(1)</script></svg>'
		);
		await expectRefused(pieceId, await uploadOriginal(svg), 'image_unsupported_type');
		// The bucket itself refuses an SVG declared as such.
		const declared = await p.supabase.storage
			.from('originals')
			.upload(`${p.userId}/${crypto.randomUUID()}`, svg, { contentType: 'image/svg+xml' });
		expect(declared.error).not.toBeNull();
		await expectRefused(
			pieceId,
			await uploadOriginal(pngClaiming(30000, 30000), 'image/png'),
			'image_too_many_pixels'
		);
		const jpeg = await gpsJpeg();
		const truncated = jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
		await expectRefused(pieceId, await uploadOriginal(truncated), 'image_corrupt');
		expect(await objects('masters', p.userId)).not.toContain(pieceId);
	});

	it('never lets a file name or path reach storage', async () => {
		const pieceId = await newPiece();
		for (const hostile of ['../../etc/passwd', '..%2F..%2Fx', 'a/b', 'photo\u202egpj.exe']) {
			const error = await process(pieceId, hostile).catch((e: unknown) => e);
			expect(isPieceError(error) && error.code).toBe('piece_upload_invalid');
		}
		expectTranslated('piece_upload_invalid');
		expect(await photoRows(pieceId)).toHaveLength(0);
	});

	it('refuses a 50 MB file at the bucket and a ninth photo at the endpoint', async () => {
		const pieceId = await newPiece();
		const big = await p.supabase.storage
			.from('originals')
			.upload(`${p.userId}/${crypto.randomUUID()}`, Buffer.alloc(50 * 1024 * 1024, 1), {
				contentType: 'image/jpeg'
			});
		expect(big.error).not.toBeNull();
		expectTranslated('image_too_large_bytes');
		expect(await objects('originals', p.userId)).toEqual([]);

		const rows = Array.from({ length: MAX_PHOTOS }, (_, position) => ({
			piece_id: pieceId,
			position,
			master_path: `${p.userId}/${pieceId}/${crypto.randomUUID()}/master.jpg`,
			width: 10,
			height: 10
		}));
		expect((await p.supabase.from('piece_photos').insert(rows)).error).toBeNull();
		await expectRefused(pieceId, await uploadOriginal(await gpsJpeg()), 'piece_too_many_photos');
	});

	it('refuses bad texts and stories posted straight to the server, storing nothing', async () => {
		const pieceId = await newPiece();
		const text = (over: Partial<TextInput>): TextInput => ({
			language: 'uk',
			title: 'Вишиванка',
			caption: '',
			alt: {},
			story: validateStory({ type: 'doc', content: [] }),
			provenance: 'original',
			...over
		});
		const cases: [Partial<TextInput>, string][] = [
			[{ title: '' }, 'piece_title_required'],
			[{ caption: 'x'.repeat(10_000) }, 'piece_caption_too_long'],
			[{ title: 'abc\u202Egpj.exe' }, 'piece_bidi_controls'],
			[{ language: 'xx-evil' }, 'piece_language_invalid'],
			[
				{
					story: parseStoryJson(
						JSON.stringify({
							type: 'doc',
							content: [
								{
									type: 'paragraph',
									content: [
										{
											type: 'text',
											text: 'klick',
											marks: [{ type: 'link', attrs: { href: 'javascript:alert(1)' } }]
										}
									]
								}
							]
						})
					)
				},
				'story_bad_link'
			],
			[
				{ story: parseStoryJson('{"type":"doc","content":[{"type":"iframe","attrs":{}}]}') },
				'story_invalid'
			]
		];
		for (const [over, code] of cases) {
			expect(await saveText(p.supabase, p.userId, pieceId, text(over), true)).toBe(code);
			expectTranslated(code);
		}
		const { data } = await admin.from('piece_texts').select('language').eq('piece_id', pieceId);
		expect(data).toEqual([]);
	});

	it('submits only with photos, title, alt text and the needed consent', async () => {
		const pieceId = await newPiece();
		expect(await submitPiece(p.supabase, p.userId, pieceId)).toBe('piece_no_photos');
		const photo = await process(pieceId, await uploadOriginal(await gpsJpeg()));
		const story = validateStory({
			type: 'doc',
			content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Моя бабуся…' }] }]
		});
		const uk: TextInput = {
			language: 'uk',
			title: 'Вишиванка',
			caption: 'Хрестик',
			alt: { [photo.id]: '' },
			story,
			provenance: 'original'
		};
		expect(await saveText(p.supabase, p.userId, pieceId, uk, false)).toBeNull();
		expect(await submitPiece(p.supabase, p.userId, pieceId)).toBe('piece_alt_required');
		uk.alt[photo.id] = 'Червоно-чорна вишивка хрестиком на білому льоні';
		expect(await saveText(p.supabase, p.userId, pieceId, uk, true)).toBeNull();
		const de: TextInput = {
			...uk,
			language: 'de',
			title: 'Wyschywanka',
			alt: { [photo.id]: 'Rot-schwarzer Kreuzstich auf weißem Leinen' },
			provenance: 'translated_by_volunteer'
		};
		expect(await saveText(p.supabase, p.userId, pieceId, de, true)).toBeNull();

		expect(await submitPiece(p.supabase, p.userId, pieceId)).toBe('piece_consent_missing');
		expectTranslated('piece_consent_missing');
		// A consent written straight through the Data API, past the app's checks: the database
		// still refuses to submit, and the app says why.
		const direct = await p.supabase.from('consents').insert({
			piece_id: pieceId,
			scopes: ['online_gallery'],
			people_visible: true,
			depicted_people_agreed: false,
			maker_age_bracket: '16_plus',
			consent_text_version: 'direct',
			consent_language: 'uk'
		});
		expect(direct.error).toBeNull();
		expect(await submitPiece(p.supabase, p.userId, pieceId)).toBe(
			'piece_consent_people_agreed_required'
		);
		expectTranslated('piece_consent_people_agreed_required');
		const consent = {
			scopes: ['print_exhibition'],
			peopleVisible: 'yes',
			peopleAgreed: false,
			guardianName: '',
			guardianConfirmed: false,
			language: 'uk'
		};
		expect(await giveConsent(p.supabase, p.userId, pieceId, consent)).toBe(
			'piece_consent_scope_required'
		);
		consent.scopes.push('online_gallery');
		expect(await giveConsent(p.supabase, p.userId, pieceId, consent)).toBe(
			'piece_consent_people_agreed_required'
		);
		consent.peopleAgreed = true;
		expect(await giveConsent(p.supabase, p.userId, pieceId, consent)).toBeNull();
		expect(await submitPiece(p.supabase, p.userId, pieceId)).toBeNull();

		const { data } = await admin
			.from('pieces')
			.select(
				'status, piece_texts(language, provenance), consents(consent_text_version, consent_language, withdrawn_at)'
			)
			.eq('id', pieceId)
			.single();
		expect(data).toMatchObject({ status: 'submitted' });
		// The direct consent was replaced (withdrawn) by the one given through the app.
		expect(
			(data!.consents as { withdrawn_at: string | null }[]).filter((c) => !c.withdrawn_at)
		).toMatchObject([{ consent_text_version: '2026-11-v1', consent_language: 'uk' }]);
		expect(data!.piece_texts).toHaveLength(2);
		// Submitted: no more uploads.
		await expectRefused(pieceId, await uploadOriginal(await gpsJpeg()), 'piece_not_editable');
	});

	it('asks for a guardian when the maker is under 16', async () => {
		const young = await joinAsParticipant(stack, 'Mila');
		await admin.from('profiles').update({ age_bracket: 'under_16' }).eq('id', young.userId);
		const pieceId = (await createDraft(young.supabase, young.userId, JOHANNSTADT, 'de'))!;
		const consent = {
			scopes: ['online_gallery'],
			peopleVisible: 'no',
			peopleAgreed: false,
			guardianName: '',
			guardianConfirmed: false,
			language: 'de'
		};
		expect(await giveConsent(young.supabase, young.userId, pieceId, consent)).toBe(
			'piece_consent_guardian_required'
		);
		expectTranslated('piece_consent_guardian_required');
		const { data } = await admin.from('consents').select('id').eq('piece_id', pieceId);
		expect(data).toEqual([]);
	});
});
