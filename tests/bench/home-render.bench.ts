/**
 * home_ssr_throughput_ratio_vs_static: requests per second of the server-rendered home page
 * (production build on the local stack, as deployed: after the first request it comes from the
 * page cache) divided by a static server in its own process sending the same HTML bytes, same
 * concurrency, loaded in alternating one-second blocks.
 */
import { buildIfNeeded } from '../../scripts/build-if-needed.ts';
import { startTestStack } from '../helpers/stack.ts';
import type { Bench } from './harness.ts';
import { alternateLoad, startApp, staticServerProcess } from './load.ts';

const bench: Bench = async () => {
	buildIfNeeded();
	const stack = await startTestStack();
	const app = await startApp(
		{
			PUBLIC_SUPABASE_URL: stack.url,
			PUBLIC_SUPABASE_PUBLISHABLE_KEY: stack.keys.publishable,
			SUPABASE_SECRET_KEY: stack.keys.secret,
			SWEEP_INTERVAL_MINUTES: '0'
		},
		4199
	);
	try {
		// The localized page itself: `/` only redirects to it.
		const home = `${app.url}/de/`;
		const html = Buffer.from(await (await fetch(home)).arrayBuffer());
		const reference = await staticServerProcess(html);
		try {
			const { subject: ssr, baseline: base } = await alternateLoad([home], [reference.url]);
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
