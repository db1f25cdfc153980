/**
 * Starts the local Supabase-compatible stack: one HTTP origin serving /auth/v1, /rest/v1 and
 * /storage/v1 over one database (PGlite by default, a real Postgres with `databaseUrl`).
 */
import { createServer, type Server } from 'node:http';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { openDatabase, type Database } from './core/db.ts';
import {
	createKeys,
	ANON_KEY,
	PUBLISHABLE_KEY,
	SECRET_KEY,
	SERVICE_ROLE_KEY
} from './core/keys.ts';
import {
	CORS_HEADERS,
	DEFAULT_ALLOWED_HEADERS,
	sendJson,
	type Service,
	type StackContext
} from './core/http.ts';
import { prepareDatabase } from './bootstrap/index.ts';
import { createAuthService } from './auth/index.ts';
import { createRestService } from './rest/index.ts';
import { createStorageService } from './storage/index.ts';

export interface StackOptions {
	/** Supabase project folder: config.toml, migrations/, seed.sql. Default `supabase`. */
	projectDir?: string;
	/** Port to listen on; 0 picks a free one. Default 54321. */
	port?: number;
	/** Interface to bind. Default 127.0.0.1 (loopback only). */
	host?: string;
	/** Where PGlite data, keys and storage bytes live. Default `.local/supabase`. */
	dataDir?: string;
	/** postgres://… to use a real Postgres instead of PGlite. */
	databaseUrl?: string;
	/** Keep PGlite in memory (tests); storage bytes still go to dataDir. */
	inMemory?: boolean;
	/** Drop everything and rebuild from migrations and seed. */
	reset?: boolean;
	/** Skip seed.sql even on a fresh database. */
	skipSeed?: boolean;
	log?: (message: string) => void;
}

export interface RunningStack {
	url: string;
	db: Database;
	keys: { anon: string; serviceRole: string; publishable: string; secret: string };
	stack: StackContext;
	/**
	 * Re-reads the REST service's schema cache, as `NOTIFY pgrst, 'reload schema'` does (the stack
	 * listens for that too). Needed after DDL run outside the stack's own requests.
	 */
	reloadSchemaCache(): Promise<void>;
	close(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<RunningStack> {
	const projectDir = resolve(options.projectDir ?? 'supabase');
	const dataDir = resolve(options.dataDir ?? '.local/supabase');
	const log = options.log ?? ((message: string) => console.log(`[supabase-local] ${message}`));
	if (options.reset && !options.databaseUrl) rmSync(dataDir, { recursive: true, force: true });
	mkdirSync(dataDir, { recursive: true });

	const db = await openDatabase({
		url: options.databaseUrl,
		dataDir: options.inMemory || options.databaseUrl ? undefined : join(dataDir, 'pgdata')
	});
	const keys = await createKeys(dataDir);
	try {
		await prepareDatabase(db, {
			projectDir,
			reset: Boolean(options.reset),
			skipSeed: Boolean(options.skipSeed),
			log
		});
	} catch (error) {
		// A failed migration must not leave a pool behind that keeps the process (or a test) alive.
		await db.close();
		throw error;
	}

	const host = options.host ?? '127.0.0.1';
	const server = createServer();
	// Clients reuse idle sockets (undici keeps them 4 s by default, longer when told): a server that
	// closes them sooner races the next request on the same socket ("other side closed"). Hosted
	// Supabase sits behind a gateway with long idle timeouts, so keep sockets well beyond that.
	server.keepAliveTimeout = 65_000;
	server.headersTimeout = 66_000;
	await new Promise<void>((done, fail) => {
		server.once('error', fail);
		server.listen(options.port ?? 54321, host, () => done());
	});
	const { port } = server.address() as AddressInfo;
	const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
	const stack: StackContext = { db, keys, url, dataDir, projectDir, log };
	const rest = await createRestService(stack);
	const services: Service[] = [
		await createAuthService(stack),
		rest,
		await createStorageService(stack)
	];
	server.on('request', (req, res) => void route(stack, services, req, res));

	return {
		url,
		db,
		keys: {
			anon: ANON_KEY,
			serviceRole: SERVICE_ROLE_KEY,
			publishable: PUBLISHABLE_KEY,
			secret: SECRET_KEY
		},
		stack,
		reloadSchemaCache: () => rest.reloadSchemaCache(),
		async close() {
			await closeServer(server);
			for (const service of services) await service.close?.();
			await db.close();
		}
	};
}

async function route(
	stack: StackContext,
	services: Service[],
	req: import('node:http').IncomingMessage,
	res: import('node:http').ServerResponse
): Promise<void> {
	for (const [name, value] of Object.entries(CORS_HEADERS)) res.setHeader(name, value);
	try {
		const url = new URL(req.url ?? '/', stack.url);
		if (req.method === 'OPTIONS') {
			res.writeHead(204, {
				'access-control-allow-headers':
					req.headers['access-control-request-headers'] ?? DEFAULT_ALLOWED_HEADERS
			});
			res.end();
			return;
		}
		for (const service of services) {
			if (url.pathname === service.prefix || url.pathname.startsWith(`${service.prefix}/`)) {
				const path = url.pathname.slice(service.prefix.length) || '/';
				if (await service.handle({ req, res, url, path, stack })) return;
				break;
			}
		}
		if (!res.headersSent) sendJson(res, 404, { message: 'no Route matched with those values' });
	} catch (error) {
		stack.log(
			`unhandled error on ${req.method} ${req.url}: ${(error as Error).stack ?? String(error)}`
		);
		if (!res.headersSent) sendJson(res, 500, { message: 'internal error' });
		else res.destroy();
	}
}

function closeServer(server: Server): Promise<void> {
	server.closeAllConnections();
	return new Promise((done) => server.close(() => done()));
}
