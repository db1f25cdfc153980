/**
 * The PostgREST-compatible REST service under `/rest/v1` (spec §3): what the unmodified
 * postgrest-js sends, answered the way hosted Supabase answers it, with Postgres enforcing RLS.
 */
import { BodyTooLargeError, readBody, type Service, type StackContext } from '../core/http.ts';
import { loadProjectConfig } from '../core/config.ts';
import { handleRest, type RestEnvironment } from './handler.ts';
import { loadDbSettings, settingEnabled } from './db-settings.ts';
import { loadSchemaCache, type SchemaCache } from './schema-cache.ts';

/** Largest request body accepted, like the hosted gateway's limit. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface RestService extends Service {
	/** Re-reads tables, views, keys and functions (`NOTIFY pgrst, 'reload schema'`). */
	reloadSchemaCache(): Promise<void>;
	/**
	 * Re-reads `[api]` of config.toml and the authenticator's `pgrst.*` settings, then the schema
	 * cache (`NOTIFY pgrst, 'reload config'`).
	 */
	reloadConfig(): Promise<void>;
}

/** Creates the service and loads its schema cache; call after the database is prepared. */
export async function createRestService(stack: StackContext): Promise<RestService> {
	const env: RestEnvironment = {
		db: stack.db,
		keys: stack.keys,
		schemas: [],
		extraSearchPath: [],
		cache: () => cache,
		// A miss re-reads after any introspection already running: that one may predate the table.
		reload: () => reloadAfterCurrent()
	};
	const readConfig = async () => {
		const api = loadProjectConfig(stack.projectDir).api;
		env.schemas = api?.schemas ?? ['public', 'graphql_public'];
		env.extraSearchPath = api?.extra_search_path ?? ['public', 'extensions'];
		env.maxRows = api?.max_rows ?? 1000;
		const settings = await loadDbSettings(stack.db);
		env.planEnabled = settingEnabled(settings.get('db_plan_enabled'));
		env.aggregatesEnabled = settingEnabled(settings.get('db_aggregates_enabled'));
	};
	await readConfig();
	let cache: SchemaCache = await loadSchemaCache(stack.db, env.schemas);
	let reloading: Promise<void> | null = null;
	const reload = () => {
		// Concurrent misses share one introspection.
		reloading ??= loadSchemaCache(stack.db, env.schemas)
			.then((fresh) => {
				cache = fresh;
			})
			.finally(() => {
				reloading = null;
			});
		return reloading;
	};
	// A notification may arrive while an older introspection runs: that one could predate the DDL.
	const reloadAfterCurrent = async () => {
		await reloading?.catch(() => undefined);
		await reload();
	};
	const reloadConfig = async () => {
		await readConfig();
		return reloadAfterCurrent();
	};
	// PostgREST's channel: an empty payload or 'reload schema' re-reads the schema cache, 'reload
	// config' the configuration. A NOTIFY sent while a reload runs queues behind it in the database.
	const stopListening = await stack.db.listen('pgrst', (payload) => {
		const command = payload.trim().toLowerCase();
		const done =
			command === '' || command === 'reload schema'
				? reloadAfterCurrent()
				: command === 'reload config'
					? reloadConfig()
					: null;
		done?.catch((error: unknown) =>
			stack.log(`schema cache reload failed: ${(error as Error).message}`)
		);
	});

	return {
		prefix: '/rest/v1',
		reloadSchemaCache: reloadAfterCurrent,
		reloadConfig,
		close: stopListening,
		async handle({ req, res, url, path }) {
			const method = req.method ?? 'GET';
			let body: Buffer | null = null;
			if (method !== 'GET' && method !== 'HEAD') {
				try {
					body = await readBody(req, MAX_BODY_BYTES);
				} catch (error) {
					if (!(error instanceof BodyTooLargeError)) throw error;
					const payload = JSON.stringify({ message: 'Request size limit exceeded' });
					res.writeHead(413, {
						'content-type': 'application/json; charset=utf-8',
						connection: 'close'
					});
					res.end(payload);
					return true;
				}
			}
			const response = await handleRest(env, {
				method,
				path,
				search: url.searchParams,
				headers: req.headers,
				body
			});
			const headers: Record<string, string | number> = { ...response.headers };
			if (response.body !== '' || method === 'HEAD')
				headers['content-length'] = Buffer.byteLength(response.body);
			res.writeHead(response.status, headers);
			res.end(method === 'HEAD' ? undefined : response.body);
			return true;
		}
	};
}
