import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

/** GHSA-rgj7-g3m4-5g8c is fixed in 0.35.4; older versions must not be installed (C30). */
const MINIMUM = [0, 35, 4];

function atLeast(version: string, minimum: number[]): boolean {
	const parts = version.split(/[.-]/).slice(0, 3).map(Number);
	for (let i = 0; i < 3; i++) {
		if (parts[i] !== minimum[i]) return parts[i] > minimum[i];
	}
	return true;
}

describe('sharp dependency gate', () => {
	it('compares versions numerically', () => {
		expect(atLeast('0.35.4', MINIMUM)).toBe(true);
		expect(atLeast('0.35.10', MINIMUM)).toBe(true);
		expect(atLeast('1.0.0', MINIMUM)).toBe(true);
		expect(atLeast('0.35.3', MINIMUM)).toBe(false);
		expect(atLeast('0.34.9', MINIMUM)).toBe(false);
	});

	it('has sharp >= 0.35.4 installed and loaded', async () => {
		// sharp's exports map hides package.json; find it next to the resolved entry point.
		let dir = dirname(createRequire(import.meta.url).resolve('sharp'));
		let manifest: { name?: string; version: string } = { version: '0.0.0' };
		for (let depth = 0; depth < 4 && manifest.name !== 'sharp'; depth++, dir = dirname(dir)) {
			manifest = JSON.parse(
				await readFile(join(dir, 'package.json'), 'utf8').catch(() => '{"version":"0.0.0"}')
			) as typeof manifest;
		}
		expect(manifest.name).toBe('sharp');
		expect(atLeast(manifest.version, MINIMUM), manifest.version).toBe(true);
		expect(sharp.versions.sharp).toBe(manifest.version);
	});
});
