/**
 * `npm start`: the whole system on this machine. Starts the local Supabase-compatible stack
 * (migrations and demo seed on first start), builds the app when its sources changed, and serves
 * the production build. `--dev` runs Vite's dev server instead of the build.
 *
 *   npm start -- [--port 5173] [--stack-port 54321] [--data-dir .local/supabase] [--reset] [--dev]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { startStack } from '../supabase/local/src/stack.ts';
import { buildIfNeeded } from './build-if-needed.ts';
import { seedMedia } from './seed-media.ts';

const { values } = parseArgs({
	options: {
		port: { type: 'string', default: process.env.PORT ?? '5173' },
		host: { type: 'string', default: process.env.HOST ?? 'localhost' },
		'stack-port': { type: 'string', default: process.env.SUPABASE_PORT ?? '54321' },
		'data-dir': { type: 'string', default: '.local/supabase' },
		db: { type: 'string', default: process.env.DATABASE_URL },
		reset: { type: 'boolean', default: false },
		dev: { type: 'boolean', default: false },
		quiet: { type: 'boolean', default: false }
	}
});

if (!values.dev) buildIfNeeded();

const stack = await startStack({
	port: Number(values['stack-port']),
	dataDir: values['data-dir'],
	databaseUrl: values.db,
	reset: values.reset,
	log: values.quiet ? () => {} : undefined
});

// Pictures for the seeded pieces; idempotent, so it runs on every start without blocking the app.
seedMedia({ url: stack.url, secretKey: stack.keys.secret }).catch((error: unknown) =>
	console.warn('[seed-media] failed', error)
);

const appUrl = `http://${values.host}:${values.port}`;
const env = {
	...process.env,
	PORT: values.port,
	HOST: values.host,
	// Behind a reverse proxy or load balancer, ORIGIN is the public address instead.
	ORIGIN: process.env.ORIGIN ?? appUrl,
	PUBLIC_SUPABASE_URL: stack.url,
	PUBLIC_SUPABASE_PUBLISHABLE_KEY: stack.keys.publishable,
	SUPABASE_SECRET_KEY: stack.keys.secret,
	BODY_SIZE_LIMIT: process.env.BODY_SIZE_LIMIT ?? '30M'
};
const app: ChildProcess = values.dev
	? spawn('npx', ['vite', 'dev', '--port', values.port, '--host', values.host, '--strictPort'], {
			env,
			stdio: 'inherit'
		})
	: spawn(process.execPath, ['server.js'], { env, stdio: 'inherit' });

console.log(`
  connecting-thread is running
  App:              ${appUrl}
  Supabase (local): ${stack.url}   mail outbox: ${stack.url}/auth/v1/outbox

  Demo accounts (sign in at ${appUrl}/signin):
    moderator@demo.connecting-thread.test    demo-moderator-2026
    facilitator@demo.connecting-thread.test  demo-facilitator-2026
    admin@demo.connecting-thread.test        demo-admin-2026
  Participant join link: ${appUrl}/join/FADEN-2026-DEMO
`);

let stopping = false;
async function stop(code = 0): Promise<void> {
	if (stopping) return;
	stopping = true;
	app.kill('SIGTERM');
	await stack.close();
	process.exit(code);
}
app.on('exit', (code) => void stop(code ?? 0));
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
