/** `npm run supabase:local -- [--project DIR] [--port N] [--host H] [--data-dir DIR] [--db URL] [--reset]` */
import { parseArgs } from 'node:util';
import { startStack } from './stack.ts';

const { values } = parseArgs({
	options: {
		project: { type: 'string', default: 'supabase' },
		port: { type: 'string', default: '54321' },
		host: { type: 'string', default: '127.0.0.1' },
		'data-dir': { type: 'string' },
		db: { type: 'string' },
		reset: { type: 'boolean', default: false },
		'no-seed': { type: 'boolean', default: false }
	}
});

const running = await startStack({
	projectDir: values.project,
	port: Number(values.port),
	host: values.host,
	dataDir: values['data-dir'],
	databaseUrl: values.db ?? process.env.DATABASE_URL,
	reset: values.reset,
	skipSeed: values['no-seed']
});
console.log(`Supabase-compatible local stack on ${running.url}
  publishable key: ${running.keys.publishable}
  secret key:      ${running.keys.secret}
  anon key:        ${running.keys.anon}
  service_role:    ${running.keys.serviceRole}
  mail outbox:     ${running.url}/auth/v1/outbox`);
const stop = () => void running.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
