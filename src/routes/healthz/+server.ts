import type { RequestHandler } from './$types';

/**
 * Liveness for a load balancer or an orchestrator: the process is up and answers. It asks nothing
 * of the database, so a database outage does not get healthy instances restarted. `/readyz` says
 * whether this instance can serve.
 */
export const GET: RequestHandler = () =>
	Response.json({ status: 'ok' }, { headers: { 'cache-control': 'no-store' } });
