import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { jpegWithPrivateMetadata } from '../../../../tests/fixtures/images/craft.ts';
import { exifHasGps } from './exif.ts';

describe('exifHasGps', () => {
	it('finds the GPS directory of a phone-like photo', async () => {
		const { exif } = await sharp(await jpegWithPrivateMetadata(700, 500)).metadata();
		expect(exifHasGps(exif)).toBe(true);
	});

	it('is false for EXIF without GPS, for nothing, and for garbage', async () => {
		const withoutGps = await sharp({
			create: { width: 8, height: 8, channels: 3, background: '#fff' }
		})
			.jpeg()
			.withExif({ IFD0: { Make: 'PhoneMaker' } })
			.toBuffer();
		const { exif } = await sharp(withoutGps).metadata();
		expect(exif).toBeDefined();
		expect(exifHasGps(exif)).toBe(false);
		expect(exifHasGps(undefined)).toBe(false);
		expect(exifHasGps(Buffer.from('Exif\0\0II*\0\xff\xff\xff\x7f garbage', 'latin1'))).toBe(false);
	});
});
