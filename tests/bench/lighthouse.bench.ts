/**
 * lighthouse_mobile_performance and lighthouse_mobile_accessibility: Lighthouse 13 with its
 * default mobile settings (Moto G Power emulation, simulated slow 4G, 4× CPU slowdown) driving
 * Debian's Chromium, against the production build on a fresh stack with the demo seed and its
 * pictures. Pages: home, gallery, a piece and a story, in German. Each figure is the worst of the
 * four pages (the note lists them all); the baseline is the same audit of a static copy of the
 * gallery's HTML, same run, so a busy machine shows up in the baseline too.
 */
import { writeFileSync } from 'node:fs';
import { launch } from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { buildIfNeeded } from '../../scripts/build-if-needed.ts';
import { CHROMIUM_ARGS, findChromium } from '../../scripts/chromium.ts';
import { seedMedia } from '../../scripts/seed-media.ts';
import { startTestStack } from '../helpers/stack.ts';
import type { Bench, BenchResult } from './harness.ts';
import { startApp, staticServer } from './load.ts';

const PORT = 6496;
const PAGES = {
	home: '/de/',
	gallery: '/de/gallery',
	piece: '/de/pieces/20000000-0000-4000-8000-000000000001',
	story: '/de/stories/zuhause-ist-ein-verb'
};

interface Scores {
	performance: number;
	accessibility: number;
	failing: string[];
}

/**
 * Runs Lighthouse on `url`; with `name`, also writes the whole report to
 * tests/bench/results/lighthouse-<name>.json so the audits behind a score can be read.
 */
async function audit(port: number, url: string, name?: string): Promise<Scores> {
	const result = await lighthouse(
		url,
		{ port, output: 'json', logLevel: 'error', onlyCategories: ['performance', 'accessibility'] },
		undefined
	);
	if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
	if (name) {
		writeFileSync(
			new URL(`results/lighthouse-${name}.json`, import.meta.url),
			JSON.stringify(result.lhr)
		);
	}
	const { categories, audits, runtimeError } = result.lhr;
	if (runtimeError) throw new Error(`${url}: ${runtimeError.code} ${runtimeError.message}`);
	const failing = Object.values(audits)
		.filter((a) => a.score !== null && a.score < 0.9 && a.scoreDisplayMode !== 'informative')
		.map((a) => `${a.id}${a.numericValue ? `=${Math.round(a.numericValue)}` : ''}`);
	return {
		performance: Math.round((categories.performance?.score ?? 0) * 100),
		accessibility: Math.round((categories.accessibility?.score ?? 0) * 100),
		failing
	};
}

const bench: Bench = async () => {
	// BENCH_NO_BUILD=1 measures the build that is there (other work may be changing the sources).
	if (!process.env.BENCH_NO_BUILD) buildIfNeeded();
	const stack = await startTestStack();
	try {
		await seedMedia({ url: stack.url, secretKey: stack.keys.secret });
		const app = await startApp(
			{
				PUBLIC_SUPABASE_URL: stack.url,
				PUBLIC_SUPABASE_PUBLISHABLE_KEY: stack.keys.publishable,
				SUPABASE_SECRET_KEY: stack.keys.secret
			},
			PORT
		);
		const chromePath = findChromium();
		const chrome = await launch({
			...(chromePath ? { chromePath } : {}),
			chromeFlags: ['--headless=new', ...CHROMIUM_ARGS]
		});
		try {
			const html = Buffer.from(await (await fetch(`${app.url}${PAGES.gallery}`)).arrayBuffer());
			const reference = await staticServer(html);
			let baseline: Scores;
			try {
				baseline = await audit(chrome.port, reference.url, 'baseline');
			} finally {
				await reference.close();
			}
			const scores: Record<string, Scores> = {};
			for (const [name, path] of Object.entries(PAGES)) {
				scores[name] = await audit(chrome.port, `${app.url}${path}`, name);
			}
			const worst = (key: 'performance' | 'accessibility') =>
				Math.min(...Object.values(scores).map((s) => s[key]));
			const note = (key: 'performance' | 'accessibility') =>
				Object.entries(scores)
					.map(([name, s]) => `${name} ${s[key]}`)
					.join(', ') +
				(key === 'performance'
					? `; below 0.9: ${Object.entries(scores)
							.map(([name, s]) => `${name}: ${s.failing.join(' ') || '-'}`)
							.join('; ')}`
					: '');
			const figure = (key: 'performance' | 'accessibility', target: string): BenchResult => ({
				name: `lighthouse_mobile_${key}`,
				value: worst(key),
				unit: 'score',
				baseline: baseline[key],
				ratio: worst(key) / Math.max(1, baseline[key]),
				target,
				note: note(key)
			});
			return [figure('performance', '≥ 95'), figure('accessibility', '100')];
		} finally {
			await chrome.kill();
			await app.close();
		}
	} finally {
		await stack.close();
	}
};

export default bench;
