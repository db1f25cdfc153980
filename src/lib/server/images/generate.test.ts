import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { generateTextileImage } from './generate.ts';

describe('generateTextileImage', () => {
	it('is reproducible per seed and different across seeds', async () => {
		const a = await generateTextileImage({ width: 300, height: 200, seed: 5, format: 'raw' });
		const b = await generateTextileImage({ width: 300, height: 200, seed: 5, format: 'raw' });
		const c = await generateTextileImage({ width: 300, height: 200, seed: 6, format: 'raw' });
		expect(a.data.length).toBe(300 * 200 * 3);
		expect(a.data.equals(b.data)).toBe(true);
		expect(a.data.equals(c.data)).toBe(false);
	});

	it('encodes a busy, colourful picture in the requested format', async () => {
		const image = await generateTextileImage({ width: 640, height: 480, seed: 2, format: 'png' });
		const meta = await sharp(image.data).metadata();
		expect([meta.format, meta.width, meta.height]).toEqual(['png', 640, 480]);
		const stats = await sharp(image.data).stats();
		// Texture and threads: every channel varies a lot, unlike a flat test card.
		for (const channel of stats.channels) expect(channel.stdev).toBeGreaterThan(15);
		expect(stats.channels[0].max - stats.channels[2].min).toBeGreaterThan(100);
	});

	it('rejects impossible sizes and palettes', async () => {
		await expect(generateTextileImage({ width: 0, height: 10 })).rejects.toThrow(RangeError);
		await expect(
			generateTextileImage({ width: 10, height: 10, palette: [[1, 2, 3]] })
		).rejects.toThrow(RangeError);
	});
});
