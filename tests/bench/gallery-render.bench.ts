/**
 * gallery_ssr_throughput_ratio_vs_static: requests per second of the gallery page (production
 * build as deployed, anonymous, on a fresh in-memory stack holding the seed plus 10,000 published
 * pieces inserted with generate_series as in gallery-query.bench.ts) divided by a static server
 * sending the same HTML bytes, same concurrency, same run. The app walks several gallery URLs
 * (first page, two keyset pages, a workshop filter) round-robin. Both sides are loaded in
 * alternating one-second blocks so they see the same machine load, the static server in its own
 * process like the app.
 *
 * As deployed, the app keeps anonymous public pages in its page cache
 * (src/lib/server/hooks/page-cache.ts), so after the warm-up this measures cache hits;
 * gallery_ssr_uncached_throughput_ratio_vs_static measures a second instance with
 * PAGE_CACHE_SECONDS=0, where every request renders and queries the stack: the cost of a miss.
 */
import { buildIfNeeded } from '../../scripts/build-if-needed.ts';
import { startTestStack } from '../helpers/stack.ts';
import { generate } from './gallery-query.bench.ts';
import type { Bench, BenchResult } from './harness.ts';
import { alternateLoad, startApp, staticServerProcess } from './load.ts';

const PIECES = 10_000;
const PORT = 6497;
const UNCACHED_PORT = 6498;

const bench: Bench = async () => {
	// BENCH_NO_BUILD=1 measures the build that is there (other work may be changing the sources).
	if (!process.env.BENCH_NO_BUILD) buildIfNeeded();
	const stack = await startTestStack();
	try {
		await stack.db.transaction((tx) => tx.exec(generate(1, PIECES)));
		await stack.db.exec('analyze');
		const env = {
			PUBLIC_SUPABASE_URL: stack.url,
			PUBLIC_SUPABASE_PUBLISHABLE_KEY: stack.keys.publishable,
			SUPABASE_SECRET_KEY: stack.keys.secret,
			// The retention sweeper would scan the 10,000 pieces at start-up, during the measurement.
			SWEEP_INTERVAL_MINUTES: '0'
		};
		const app = await startApp(env, PORT);
		const uncached = await startApp({ ...env, PAGE_CACHE_SECONDS: '0' }, UNCACHED_PORT);
		try {
			const first = await fetch(`${app.url}/de/gallery`);
			const html = Buffer.from(await first.arrayBuffer());
			if (!first.ok || !html.includes('<article')) {
				throw new Error(`gallery answered ${first.status} without cards`);
			}
			// Keyset cursors of later pages, read from the "more pieces" link.
			const paths = ['/de/gallery', '/de/gallery?workshop=stichwerk-neustadt'];
			let page = html.toString();
			for (let i = 0; i < 2; i++) {
				const next = /href="(\/de\/gallery\?before=[^"]+)"/.exec(page)?.[1]?.replace(/&amp;/g, '&');
				if (!next) break;
				paths.push(next);
				page = await (await fetch(`${app.url}${next}`)).text();
			}
			const reference = await staticServerProcess(html);
			try {
				const figure = async (name: string, url: string, what: string): Promise<BenchResult> => {
					const { subject, baseline } = await alternateLoad(
						paths.map((p) => `${url}${p}`),
						[reference.url],
						{ concurrency: 10, blocks: 5, blockMs: 1000 }
					);
					if (subject.errors) throw new Error(`${subject.errors} failed requests to the gallery`);
					return {
						name,
						value: subject.rps,
						unit: 'req/s',
						baseline: baseline.rps,
						ratio: subject.rps / baseline.rps,
						target: '≥ 0.3',
						note: `${what}; ${PIECES} extra published pieces, ${paths.length} URLs; p50 ${subject.p50.toFixed(1)} ms vs ${baseline.p50.toFixed(1)} ms, ${html.length} B`
					};
				};
				return [
					await figure(
						'gallery_ssr_throughput_ratio_vs_static',
						app.url,
						'as deployed (page cache)'
					),
					{
						...(await figure(
							'gallery_ssr_uncached_throughput_ratio_vs_static',
							uncached.url,
							'PAGE_CACHE_SECONDS=0: every request renders'
						)),
						target: undefined
					}
				];
			} finally {
				await reference.close();
			}
		} finally {
			await Promise.all([app.close(), uncached.close()]);
		}
	} finally {
		await stack.close();
	}
};

export default bench;
