/**
 * Starts the local Supabase-compatible stack: one HTTP origin serving /auth/v1, /rest/v1 and
 * /storage/v1 over one database (PGlite by default, a real Postgres with `databaseUrl`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { DatabaseUnavailableError, openDatabase, type Database } from './core/db.ts';
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
	type LogLevel,
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
	/** Plain messages (start-up, migrations, errors), e.g. for a test to read. */
	log?: (message: string) => void;
	/**
	 * JSON log lines: every message above and one line per request (request id, method, path
	 * without query, status, duration). Default: stdout, unless `log` is given.
	 */
	jsonLog?: (line: string) => void;
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
	const jsonLog =
		options.jsonLog ?? (options.log ? undefined : (line: string) => console.log(line));
	const log = (message: string, level: LogLevel = 'info') => {
		options.log?.(message);
		jsonLog?.(jsonLine({ level, msg: message }));
	};
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
	server.on('request', (req, res) => void traced(stack, jsonLog, req, res, services));

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

/** The request a log message belongs to. */
const requestScope = new AsyncLocalStorage<{ requestId: string }>();

/** Letters, digits and `._:-`, at most 128, as the app accepts them (src/lib/server/log.ts). */
const SANE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

function jsonLine(fields: Record<string, unknown>): string {
	return JSON.stringify({
		time: new Date().toISOString(),
		level: 'info',
		service: 'supabase-local',
		request_id: requestScope.getStore()?.requestId,
		...fields
	});
}

/**
 * Every request gets an id (the caller's sane `x-request-id`, as the app sends it, else a new
 * one), answers with it, runs in its scope (so messages logged meanwhile carry it) and leaves one
 * JSON line: method, path without the query (tokens and codes travel there), status, duration.
 * No headers, addresses, bodies or keys are logged.
 */
async function traced(
	stack: StackContext,
	jsonLog: ((line: string) => void) | undefined,
	req: IncomingMessage,
	res: ServerResponse,
	services: Service[]
): Promise<void> {
	const started = performance.now();
	const incoming = req.headers['x-request-id'];
	const requestId =
		typeof incoming === 'string' && SANE_ID.test(incoming) ? incoming : randomUUID();
	res.setHeader('x-request-id', requestId);
	res.once('close', () => {
		jsonLog?.(
			requestScope.run({ requestId }, () =>
				jsonLine({
					level: res.statusCode >= 500 ? 'error' : 'info',
					msg: 'request',
					method: req.method,
					path: (req.url ?? '/').split('?')[0],
					status: res.statusCode,
					duration_ms: Math.round((performance.now() - started) * 10) / 10
				})
			)
		);
	});
	await requestScope.run({ requestId }, () => route(stack, services, req, res));
}

async function route(
	stack: StackContext,
	services: Service[],
	req: IncomingMessage,
	res: ServerResponse
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
		const unavailable = error instanceof DatabaseUnavailableError;
		stack.log(
			`unhandled error on ${req.method} ${(req.url ?? '/').split('?')[0]}: ${(error as Error).stack ?? String(error)}`,
			unavailable ? 'warn' : 'error'
		);
		if (!res.headersSent)
			sendJson(res, unavailable ? 503 : 500, {
				message: unavailable ? 'database unavailable' : 'internal error'
			});
		else res.destroy();
	}
}

function closeServer(server: Server): Promise<void> {
	server.closeAllConnections();
	return new Promise((done) => server.close(() => done()));
}
