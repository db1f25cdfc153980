/**
 * gallery_first_load_js_kb_gzip: gzip size of every script the gallery page loads initially (the
 * entry and its modulepreload links in the built HTML, plus any other <script src>).
 * gallery_first_load_total_kb_gzip_before_images: the same plus the HTML document and stylesheets,
 * i.e. everything the first view needs before any picture. Measured on the production build against
 * a fresh stack with the demo seed; gzip level 9 as a CDN would serve it. Baseline (ratio): the home
 * page measured the same way, in the same run.
 */
import { gzipSync } from 'node:zlib';
import { buildIfNeeded } from '../../scripts/build-if-needed.ts';
import { startTestStack } from '../helpers/stack.ts';
import type { Bench } from './harness.ts';
import { startApp } from './load.ts';

const PORT = 4198;

function gz(bytes: Buffer): number {
	return gzipSync(bytes, { level: 9 }).length;
}

async function weigh(origin: string, path: string): Promise<{ js: number; total: number }> {
	const response = await fetch(`${origin}${path}`);
	if (!response.ok) throw new Error(`${path} answered ${response.status}`);
	const html = Buffer.from(await response.arrayBuffer());
	const text = html.toString();
	const scripts = new Set<string>();
	const styles = new Set<string>();
	for (const [, href] of text.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g))
		scripts.add(href);
	for (const [, src] of text.matchAll(/<script[^>]+src="([^"]+)"/g)) scripts.add(src);
	// SvelteKit starts the app with inline `import("…")` calls for the entry and the app chunk.
	for (const [, src] of text.matchAll(/import\("([^"]+\.js)"\)/g)) scripts.add(src);
	for (const [, href] of text.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g))
		styles.add(href);
	const fetchSize = async (href: string) => {
		const url = new URL(href, `${origin}${path}`);
		const body = Buffer.from(await (await fetch(url)).arrayBuffer());
		return gz(body);
	};
	let js = 0;
	for (const href of scripts) js += await fetchSize(href);
	let css = 0;
	for (const href of styles) css += await fetchSize(href);
	return { js: js / 1024, total: (js + css + gz(html)) / 1024 };
}

const bench: Bench = async () => {
	buildIfNeeded();
	const stack = await startTestStack();
	try {
		const app = await startApp(
			{
				PUBLIC_SUPABASE_URL: stack.url,
				PUBLIC_SUPABASE_PUBLISHABLE_KEY: stack.keys.publishable,
				SUPABASE_SECRET_KEY: stack.keys.secret
			},
			PORT
		);
		try {
			const gallery = await weigh(app.url, '/de/gallery');
			const home = await weigh(app.url, '/de/');
			return [
				{
					name: 'gallery_first_load_js_kb_gzip',
					value: gallery.js,
					unit: 'KiB',
					baseline: home.js,
					ratio: gallery.js / home.js,
					target: '≤ 60'
				},
				{
					name: 'gallery_first_load_total_kb_gzip_before_images',
					value: gallery.total,
					unit: 'KiB',
					baseline: home.total,
					ratio: gallery.total / home.total,
					target: '≤ 150'
				}
			];
		} finally {
			await app.close();
		}
	} finally {
		await stack.close();
	}
};

export default bench;
