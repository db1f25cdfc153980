/**
 * A throw-away Postgres server of its own (initdb in a temp folder, loopback only), which a test
 * may stop and start again: the shared dev and CI servers must never be stopped. Uses the Debian
 * binaries (`/usr/lib/postgresql/<major>/bin`, or PG_BIN); initdb refuses to run as root, so as
 * root the server runs as the `postgres` user, as .ci/run does.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface PostgresServer {
	url: string;
	stop(): Promise<void>;
	start(): Promise<void>;
	destroy(): Promise<void>;
}

/** The folder with initdb and pg_ctl, or null when no Postgres is installed. */
export function postgresBinDir(): string | null {
	if (process.env.PG_BIN) return process.env.PG_BIN;
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return null;
	const majors = readdirSync(root)
		.filter((name) => existsSync(join(root, name, 'bin', 'initdb')))
		.sort((a, b) => Number(b) - Number(a));
	return majors.length > 0 ? join(root, majors[0], 'bin') : null;
}

/** Runs a Postgres tool without blocking this process (a stack in it keeps serving meanwhile). */
function run(command: string, args: string[], asPostgres: boolean): Promise<void> {
	const child = asPostgres
		? spawn('su', ['postgres', '-s', '/bin/sh', '-c', [command, ...args].map(quote).join(' ')])
		: spawn(command, args);
	let output = '';
	child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
	return new Promise((resolve, reject) => {
		child.on('error', reject);
		child.on('close', (code) =>
			code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed: ${output}`))
		);
	});
}

function quote(arg: string): string {
	return `'${arg.replaceAll("'", "'\\''")}'`;
}

export async function startPostgresServer(port: number): Promise<PostgresServer> {
	const bin = postgresBinDir();
	if (!bin) throw new Error('no Postgres binaries (set PG_BIN)');
	const asPostgres = userInfo().uid === 0;
	const root = mkdtempSync(join(tmpdir(), 'ct-pg-'));
	if (asPostgres) {
		const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
		const gids = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
		chownSync(root, Number(ids.stdout.trim()), Number(gids.stdout.trim()));
	}
	const data = join(root, 'data');
	await run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres'], asPostgres);
	const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off`;
	const ctl = (...args: string[]) => run(join(bin, 'pg_ctl'), ['-D', data, ...args], asPostgres);
	const start = () => ctl('-l', join(root, 'log'), '-w', '-o', options, 'start');
	await start();
	let running = true;
	return {
		url: `postgres://postgres@127.0.0.1:${port}/postgres`,
		// Fast shutdown: open sessions are ended (57P01), as a restart by the host does.
		async stop() {
			await ctl('-m', 'fast', '-w', 'stop');
			running = false;
		},
		async start() {
			await start();
			running = true;
		},
		async destroy() {
			if (running) await ctl('-m', 'immediate', '-w', 'stop').catch(() => undefined);
			running = false;
			rmSync(root, { recursive: true, force: true });
		}
	};
}
