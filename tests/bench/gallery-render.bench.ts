/**
 * gallery_ssr_throughput_ratio_vs_static: requests per second of the server-rendered gallery page
 * (production build, anonymous, on a fresh in-memory stack holding the seed plus 10,000 published
 * pieces inserted with generate_series as in gallery-query.bench.ts) divided by a static server
 * sending the same HTML bytes, same concurrency, same run. The app walks several gallery URLs
 * (first page, two keyset pages, a workshop filter) round-robin, so no single response is cached.
 */
import { buildIfNeeded } from '../../scripts/build-if-needed.ts';
import { startTestStack } from '../helpers/stack.ts';
import { generate } from './gallery-query.bench.ts';
import type { Bench } from './harness.ts';
import { load, startApp, staticServer } from './load.ts';

const PIECES = 10_000;
const PORT = 6497;

const bench: Bench = async () => {
	// BENCH_NO_BUILD=1 measures the build that is there (other work may be changing the sources).
	if (!process.env.BENCH_NO_BUILD) buildIfNeeded();
	const stack = await startTestStack();
	try {
		await stack.db.transaction((tx) => tx.exec(generate(1, PIECES)));
		await stack.db.exec('analyze');
		const app = await startApp(
			{
				PUBLIC_SUPABASE_URL: stack.url,
				PUBLIC_SUPABASE_PUBLISHABLE_KEY: stack.keys.publishable,
				SUPABASE_SECRET_KEY: stack.keys.secret
			},
			PORT
		);
		try {
			const first = await fetch(`${app.url}/de/gallery`);
			const html = Buffer.from(await first.arrayBuffer());
			if (!first.ok || !html.includes('<article')) {
				throw new Error(`gallery answered ${first.status} without cards`);
			}
			// Keyset cursors of later pages, read from the "more pieces" link.
			const urls = [`${app.url}/de/gallery`, `${app.url}/de/gallery?workshop=stichwerk-neustadt`];
			let page = html.toString();
			for (let i = 0; i < 2; i++) {
				const next = /href="(\/de\/gallery\?before=[^"]+)"/.exec(page)?.[1]?.replace(/&amp;/g, '&');
				if (!next) break;
				urls.push(`${app.url}${next}`);
				page = await (await fetch(`${app.url}${next}`)).text();
			}
			const reference = await staticServer(html);
			try {
				const options = { concurrency: 10, durationMs: 5000 };
				const ssr = await load(urls, options);
				const base = await load([reference.url], options);
				if (ssr.errors) throw new Error(`${ssr.errors} failed requests to the gallery`);
				return [
					{
						name: 'gallery_ssr_throughput_ratio_vs_static',
						value: ssr.rps,
						unit: 'req/s',
						baseline: base.rps,
						ratio: ssr.rps / base.rps,
						target: '≥ 0.3',
						note: `${PIECES} extra published pieces, ${urls.length} URLs; p50 ${ssr.p50.toFixed(1)} ms vs ${base.p50.toFixed(1)} ms, ${html.length} B`
					}
				];
			} finally {
				await reference.close();
			}
		} finally {
			await app.close();
		}
	} finally {
		await stack.close();
	}
};

export default bench;
