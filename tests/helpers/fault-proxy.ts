/**
 * Real faults between a client and a server, switchable while a test runs.
 *
 * `startHttpFaultProxy(target)` is an HTTP reverse proxy (put it in front of the local stack and
 * point supabase-js or tus at its URL). Rules match requests by method and path and can delay them,
 * answer with a status without forwarding, refuse them (the connection is reset), cut them after a
 * number of request-body or response bytes, or run a hook (e.g. take the database down) before
 * forwarding. `startTcpFaultProxy(target)` forwards raw TCP (put it in front of Postgres) and can
 * refuse new connections, hold them unanswered, or cut every open one.
 *
 * Only loopback: both listen on 127.0.0.1, port 0 unless given.
 */
import {
	createServer,
	request as httpRequest,
	type IncomingHttpHeaders,
	type IncomingMessage,
	type Server,
	type ServerResponse
} from 'node:http';
import { createServer as createTcpServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type FaultAction =
	/** Wait before forwarding (a slow service). */
	| { kind: 'delay'; ms: number }
	/** Answer at once with this status; the request never reaches the target. */
	| { kind: 'status'; status: number; body?: string }
	/** Reset the client's connection without an answer (service unreachable). */
	| { kind: 'refuse' }
	/** Forward, but drop both connections once this many request-body bytes went through. */
	| { kind: 'cut-request'; afterBytes: number }
	/** Forward the whole request, then drop the connection after this many response-body bytes. */
	| { kind: 'cut-response'; afterBytes: number }
	/** Forward the whole request and let the target finish, but never answer the client. */
	| { kind: 'drop-response' }
	/** Forward unchanged (useful with `before` or to count requests). */
	| { kind: 'pass' };

export interface FaultRule {
	method?: string;
	/** Matches the path with query; a string matches as a prefix. */
	path?: string | RegExp;
	action: FaultAction;
	/** Let this many matching requests through untouched first. */
	skip?: number;
	/** Apply to this many matching requests, then stop matching (default: all). */
	times?: number;
	/** Runs (and is awaited) when the rule fires, before the action. */
	before?: (req: IncomingMessage) => void | Promise<void>;
}

export interface ProxyHit {
	method: string;
	path: string;
	headers: IncomingHttpHeaders;
	/** The action applied, or undefined when forwarded untouched. */
	fault?: FaultAction['kind'];
}

export interface HttpFaultProxy {
	url: string;
	port: number;
	/** Adds a rule (rules are tried in the order added); returns a function removing it. */
	add(rule: FaultRule): () => void;
	/** Removes every rule: all requests pass again. */
	clear(): void;
	/** Every request seen, in arrival order. */
	hits: ProxyHit[];
	/** Resolves when a request matching method/path arrives (already seen ones count). */
	waitFor(method: string, path: string | RegExp): Promise<void>;
	close(): Promise<void>;
}

interface LiveRule extends FaultRule {
	seen: number;
	applied: number;
}

function matches(rule: FaultRule, method: string, path: string): boolean {
	if (rule.method && rule.method.toUpperCase() !== method) return false;
	if (rule.path === undefined) return true;
	return typeof rule.path === 'string' ? path.startsWith(rule.path) : rule.path.test(path);
}

/** Starts an HTTP fault proxy forwarding to `target` (e.g. the stack's URL). */
export async function startHttpFaultProxy(target: string, port = 0): Promise<HttpFaultProxy> {
	const upstream = new URL(target);
	const rules: LiveRule[] = [];
	const hits: ProxyHit[] = [];
	const waiters: { method: string; path: string | RegExp; resolve: () => void }[] = [];
	const sockets = new Set<Socket>();
	let self = '';

	const pick = (method: string, path: string): LiveRule | undefined => {
		for (const rule of rules) {
			if (!matches(rule, method, path)) continue;
			if (rule.times !== undefined && rule.applied >= rule.times) continue;
			rule.seen++;
			if (rule.seen <= (rule.skip ?? 0)) continue;
			rule.applied++;
			return rule;
		}
		return undefined;
	};

	const handle = async (req: IncomingMessage, res: ServerResponse) => {
		const method = req.method ?? 'GET';
		const path = req.url ?? '/';
		const rule = pick(method, path);
		hits.push({ method, path, headers: req.headers, fault: rule?.action.kind });
		for (const w of waiters.splice(0)) {
			if (matches({ method: w.method, path: w.path, action: { kind: 'pass' } }, method, path)) {
				w.resolve();
			} else waiters.push(w);
		}
		const action: FaultAction = rule?.action ?? { kind: 'pass' };
		try {
			if (rule?.before) await rule.before(req);
		} catch {
			// A failing hook must not hide the fault under test.
		}
		if (action.kind === 'delay') {
			await new Promise((r) => setTimeout(r, action.ms));
			// The client gave up (or died) meanwhile: a real server would never see the request.
			if (req.socket.destroyed) return;
		}
		if (action.kind === 'status') {
			req.resume();
			const body = action.body ?? JSON.stringify({ message: 'injected fault' });
			res.writeHead(action.status, {
				'content-type': 'application/json',
				'content-length': Buffer.byteLength(body),
				connection: 'close'
			});
			res.end(body);
			return;
		}
		if (action.kind === 'refuse') {
			req.socket.destroy();
			return;
		}

		const headers = { ...req.headers, host: upstream.host };
		const out = httpRequest(
			{
				host: upstream.hostname,
				port: upstream.port,
				method,
				path,
				headers
			},
			(answer) => {
				if (action.kind === 'drop-response') {
					answer.resume();
					answer.on('end', () => res.socket?.destroy());
					return;
				}
				const answerHeaders = { ...answer.headers };
				// Absolute URLs the target hands out (TUS upload URLs) must lead back through here.
				const location = answerHeaders.location;
				if (location?.startsWith(upstream.origin)) {
					answerHeaders.location = self + location.slice(upstream.origin.length);
				}
				res.writeHead(answer.statusCode ?? 502, answerHeaders);
				if (action.kind !== 'cut-response') {
					answer.pipe(res);
					return;
				}
				let sent = 0;
				answer.on('data', (chunk: Buffer) => {
					if (sent + chunk.length >= action.afterBytes) {
						res.write(chunk.subarray(0, Math.max(0, action.afterBytes - sent)));
						answer.destroy();
						res.socket?.destroy();
						return;
					}
					sent += chunk.length;
					res.write(chunk);
				});
				answer.on('end', () => res.end());
			}
		);
		out.on('error', () => res.socket?.destroy());
		if (action.kind !== 'cut-request') {
			req.pipe(out);
			return;
		}
		let forwarded = 0;
		req.on('data', (chunk: Buffer) => {
			if (forwarded + chunk.length >= action.afterBytes) {
				out.write(chunk.subarray(0, Math.max(0, action.afterBytes - forwarded)));
				// Both sides see the connection drop, as when a phone leaves the Wi-Fi.
				out.destroy();
				req.socket.destroy();
				return;
			}
			forwarded += chunk.length;
			out.write(chunk);
		});
		req.on('end', () => out.end());
	};
	const server: Server = createServer((req, res) => void handle(req, res));
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
	const actual = (server.address() as AddressInfo).port;
	self = `http://127.0.0.1:${actual}`;

	return {
		url: `http://127.0.0.1:${actual}`,
		port: actual,
		hits,
		add(rule) {
			const live: LiveRule = { ...rule, seen: 0, applied: 0 };
			rules.push(live);
			return () => {
				const i = rules.indexOf(live);
				if (i >= 0) rules.splice(i, 1);
			};
		},
		clear() {
			rules.length = 0;
		},
		waitFor(method, path) {
			const seen = hits.some((h) =>
				matches({ method, path, action: { kind: 'pass' } }, h.method, h.path)
			);
			if (seen) return Promise.resolve();
			return new Promise((resolve) => waiters.push({ method, path, resolve }));
		},
		close() {
			for (const socket of sockets) socket.destroy();
			return new Promise((done) => server.close(() => done()));
		}
	};
}

export type TcpMode =
	/** Forward. */
	| 'pass'
	/** Close new connections at once (server down). */
	| 'refuse'
	/** Accept new connections and never answer (server hung). */
	| 'hang';

export interface TcpFaultProxy {
	port: number;
	mode: TcpMode;
	/** Sets the mode for new connections. */
	set(mode: TcpMode): void;
	/** Drops every open connection (both sides), as a crashed server or a network partition would. */
	cutAll(): void;
	/** Connections accepted so far. */
	readonly connections: number;
	close(): Promise<void>;
}

/** Starts a TCP fault proxy forwarding to `host:port` (e.g. the development Postgres). */
export async function startTcpFaultProxy(
	target: { host: string; port: number },
	port = 0
): Promise<TcpFaultProxy> {
	const open = new Set<Socket>();
	let mode: TcpMode = 'pass';
	let connections = 0;
	const server = createTcpServer((client) => {
		connections++;
		open.add(client);
		client.on('close', () => open.delete(client));
		client.on('error', () => undefined);
		if (mode === 'refuse') {
			client.destroy();
			return;
		}
		if (mode === 'hang') return;
		const backend = connect(target.port, target.host);
		open.add(backend);
		backend.on('close', () => {
			open.delete(backend);
			client.destroy();
		});
		backend.on('error', () => client.destroy());
		client.on('close', () => backend.destroy());
		client.pipe(backend);
		backend.pipe(client);
	});
	await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
	return {
		port: (server.address() as AddressInfo).port,
		get mode() {
			return mode;
		},
		get connections() {
			return connections;
		},
		set(next) {
			mode = next;
		},
		cutAll() {
			for (const socket of open) socket.destroy();
			open.clear();
		},
		close() {
			for (const socket of open) socket.destroy();
			return new Promise((done) => server.close(() => done()));
		}
	};
}
