/**
 * home_ssr_throughput_ratio_vs_static: requests per second of the server-rendered home page
 * (production build on the local stack) divided by a static server sending the same HTML bytes,
 * same concurrency, same run.
 */
import { buildIfNeeded } from '../../scripts/build-if-needed.ts';
import { startTestStack } from '../helpers/stack.ts';
import type { Bench } from './harness.ts';
import { load, startApp, staticServer } from './load.ts';

const bench: Bench = async () => {
	buildIfNeeded();
	const stack = await startTestStack();
	const app = await startApp(
		{
			PUBLIC_SUPABASE_URL: stack.url,
			PUBLIC_SUPABASE_PUBLISHABLE_KEY: stack.keys.publishable,
			SUPABASE_SECRET_KEY: stack.keys.secret
		},
		4199
	);
	try {
		const html = Buffer.from(await (await fetch(`${app.url}/`)).arrayBuffer());
		const reference = await staticServer(html);
		try {
			const options = { concurrency: 10, durationMs: 4000 };
			const ssr = await load([`${app.url}/`], options);
			const base = await load([reference.url], options);
			if (ssr.errors) throw new Error(`${ssr.errors} failed requests to the home page`);
			return [
				{
					name: 'home_ssr_throughput_ratio_vs_static',
					value: ssr.rps,
					unit: 'req/s',
					baseline: base.rps,
					ratio: ssr.rps / base.rps,
					note: `p50 ${ssr.p50.toFixed(1)} ms vs ${base.p50.toFixed(1)} ms, ${html.length} B`
				}
			];
		} finally {
			await reference.close();
		}
	} finally {
		await app.close();
		await stack.close();
	}
};

export default bench;
