/**
 * gallery_first_load_js_kb_gzip: gzip size of every script the gallery page loads initially: the
 * entry and app chunks the inline start script imports, the route's nodes it starts with, every
 * module those import statically (transitively), modulepreload links and any other <script src>
 * (on the public pages, which have no client-side app, that is only the enhancement script).
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

const PORT = 6498;

function gz(bytes: Buffer): number {
	return gzipSync(bytes, { level: 9 }).length;
}

/** Static `import … from "./x.js"` / `import "./x.js"` specifiers of a minified module. */
function staticImports(code: string): string[] {
	return [...code.matchAll(/(?:\bfrom|\bimport)\s*["']([^"']+\.js)["']/g)].map(([, spec]) => spec);
}

async function weigh(origin: string, path: string): Promise<{ js: number; total: number }> {
	const response = await fetch(`${origin}${path}`);
	if (!response.ok) throw new Error(`${path} answered ${response.status}`);
	const html = Buffer.from(await response.arrayBuffer());
	const text = html.toString();
	const pageUrl = `${origin}${path}`;
	const roots = new Set<string>();
	const styles = new Set<string>();
	for (const [, href] of text.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g))
		roots.add(new URL(href, pageUrl).href);
	for (const [, src] of text.matchAll(/<script[^>]+src="([^"]+)"/g))
		roots.add(new URL(src, pageUrl).href);
	// SvelteKit starts the app with inline `import("…")` calls for the entry and the app chunk,
	// then imports the route's nodes (`node_ids`) at once: all of that is first-load script.
	const entries = [...text.matchAll(/import\("([^"]+\.js)"\)/g)].map(
		([, src]) => new URL(src, pageUrl).href
	);
	for (const entry of entries) roots.add(entry);
	const nodeIds = /node_ids:\s*\[([\d,\s]+)\]/
		.exec(text)?.[1]
		.split(',')
		.map((n) => n.trim());
	// Pages without a client-side app (`csr = false`) have neither: only their <script src>.
	const app = entries.find((href) => /\/entry\/app\.[^/]+\.js$/.test(href));
	if (entries.length > 0 && (!app || !nodeIds)) {
		throw new Error(`${path}: no app entry or node ids in the page`);
	}
	const appCode = app ? await (await fetch(app)).text() : '';
	for (const id of app ? (nodeIds ?? []) : []) {
		const node = new RegExp(`import\\([\`"](\\.\\./nodes/${id}\\.[\\w-]+\\.js)[\`"]\\)`).exec(
			appCode
		);
		if (!node) throw new Error(`${path}: node ${id} not found in ${app}`);
		roots.add(new URL(node[1], app).href);
	}
	for (const [, href] of text.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g))
		styles.add(new URL(href, pageUrl).href);

	// Every module those import statically, transitively (the browser fetches them before running).
	let js = 0;
	const seen = new Set<string>();
	const queue = [...roots];
	while (queue.length > 0) {
		const href = queue.shift()!;
		if (seen.has(href)) continue;
		seen.add(href);
		const body = Buffer.from(await (await fetch(href)).arrayBuffer());
		js += gz(body);
		if (process.env.BENCH_VERBOSE) console.log(`  ${path} ${gz(body)} B ${href}`);
		for (const spec of staticImports(body.toString())) queue.push(new URL(spec, href).href);
	}
	let css = 0;
	for (const href of styles) css += gz(Buffer.from(await (await fetch(href)).arrayBuffer()));
	return { js: js / 1024, total: (js + css + gz(html)) / 1024 };
}

const bench: Bench = async () => {
	// BENCH_NO_BUILD=1 measures the build that is there (other work may be changing the sources).
	if (!process.env.BENCH_NO_BUILD) buildIfNeeded();
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
