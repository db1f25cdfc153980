/**
 * Starts an extra instance of the production build (`build/index.js`, made by the Playwright
 * webServer before any spec runs) with its own adapter-node environment, on a free port and
 * against the stack the e2e server already runs. Used by the proxy and header specs, which need
 * settings (ADDRESS_HEADER, XFF_DEPTH, PROTOCOL_HEADER, an https ORIGIN) the main server lacks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
// The local stack's keys are fixed, so the e2e server's stack accepts them.
import { PUBLISHABLE_KEY, SECRET_KEY } from '../../supabase/local/src/core/keys.ts';

/** The stack of the running e2e server (playwright.config.ts starts it on E2E_STACK_PORT). */
export function e2eStackUrl(): string {
	return process.env.E2E_STACK_URL ?? `http://127.0.0.1:${process.env.E2E_STACK_PORT ?? '54329'}`;
}

async function freePort(): Promise<number> {
	return new Promise((done, fail) => {
		const server = createServer();
		server.once('error', fail);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => done(port));
		});
	});
}

export interface AppServer {
	url: string;
	stop(): Promise<void>;
}

/**
 * Starts `node build/index.js` with `env` on top of the stack settings; resolves once it answers.
 * ORIGIN defaults to the instance's own address; pass `ORIGIN: ''` to leave it unset.
 */
export async function startAppServer(env: Record<string, string>): Promise<AppServer> {
	const entry = resolve('build/index.js');
	if (!existsSync(entry)) throw new Error('build/index.js is missing: run the e2e webServer first');
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	const settings: Record<string, string> = {
		PATH: process.env.PATH ?? '',
		HOST: '127.0.0.1',
		PORT: String(port),
		ORIGIN: url,
		PUBLIC_SUPABASE_URL: e2eStackUrl(),
		PUBLIC_SUPABASE_PUBLISHABLE_KEY: PUBLISHABLE_KEY,
		SUPABASE_SECRET_KEY: SECRET_KEY,
		...env
	};
	if (!settings.ORIGIN) delete settings.ORIGIN;
	const child: ChildProcess = spawn(process.execPath, [entry], {
		env: settings,
		stdio: ['ignore', 'ignore', 'pipe']
	});
	let stderr = '';
	child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
	const exited = new Promise<void>((done) => child.once('exit', () => done()));
	for (let attempt = 0; ; attempt++) {
		if (child.exitCode !== null) throw new Error(`app server exited: ${stderr}`);
		const ok = await fetch(`${url}/robots.txt`)
			.then((r) => r.ok)
			.catch(() => false);
		if (ok) break;
		if (attempt > 200) throw new Error(`app server did not start: ${stderr}`);
		await new Promise((r) => setTimeout(r, 100));
	}
	return {
		url,
		async stop() {
			if (child.exitCode === null) child.kill('SIGTERM');
			await exited;
		}
	};
}
