/**
 * The PostgREST-compatible REST service under `/rest/v1` (spec §3): what the unmodified
 * postgrest-js sends, answered the way hosted Supabase answers it, with Postgres enforcing RLS.
 */
import { BodyTooLargeError, readBody, type Service, type StackContext } from '../core/http.ts';
import { loadProjectConfig } from '../core/config.ts';
import { handleRest, type RestEnvironment } from './handler.ts';
import { loadSchemaCache, type SchemaCache } from './schema-cache.ts';

/** Largest request body accepted, like the hosted gateway's limit. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface RestService extends Service {
	/** Re-reads tables, views, keys and functions (`NOTIFY pgrst, 'reload schema'`). */
	reloadSchemaCache(): Promise<void>;
}

/** Creates the service and loads its schema cache; call after the database is prepared. */
export async function createRestService(stack: StackContext): Promise<RestService> {
	const config = loadProjectConfig(stack.projectDir);
	const schemas = config.api?.schemas ?? ['public', 'graphql_public'];
	let cache: SchemaCache = await loadSchemaCache(stack.db, schemas);
	let reloading: Promise<void> | null = null;
	const reload = () => {
		// Concurrent misses share one introspection.
		reloading ??= loadSchemaCache(stack.db, schemas)
			.then((fresh) => {
				cache = fresh;
			})
			.finally(() => {
				reloading = null;
			});
		return reloading;
	};
	const env: RestEnvironment = {
		db: stack.db,
		keys: stack.keys,
		schemas,
		extraSearchPath: config.api?.extra_search_path ?? ['public', 'extensions'],
		maxRows: config.api?.max_rows ?? 1000,
		cache: () => cache,
		reload
	};

	return {
		prefix: '/rest/v1',
		reloadSchemaCache: reload,
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
