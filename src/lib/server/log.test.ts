import { afterEach, describe, expect, it } from 'vitest';
import { log, requestIdFrom, scrub, setLogSink, withRequestId } from './log.ts';

describe('request ids', () => {
	it('keeps a sane incoming id and replaces anything else', () => {
		expect(requestIdFrom('req-42.a:b_c')).toBe('req-42.a:b_c');
		for (const bad of ['', 'a b', 'x'.repeat(129), 'evil\n{"level":"error"}', 'a@b.de', '-x']) {
			const id = requestIdFrom(bad);
			expect(id).not.toBe(bad);
			expect(id).toMatch(/^[0-9a-f-]{36}$/);
		}
		expect(requestIdFrom(null)).toMatch(/^[0-9a-f-]{36}$/);
	});
});

describe('log lines', () => {
	let previous: ((line: string) => void) | undefined;
	afterEach(() => {
		if (previous) setLogSink(previous);
	});

	it('are one JSON object with the current request id and a scrubbed error', () => {
		const lines: string[] = [];
		previous = setLogSink((line) => lines.push(line));
		withRequestId('abc-123', () =>
			log(
				'error',
				'mail to ada@example.org failed',
				{ route: '/x' },
				new Error('boom eyJhbGciOiJI.eyJzdWIiOiIx.c2lnbmF0dXJl from 203.0.113.9')
			)
		);
		expect(lines).toHaveLength(1);
		const line = JSON.parse(lines[0]) as Record<string, string>;
		expect(line).toMatchObject({ level: 'error', request_id: 'abc-123', route: '/x' });
		expect(line.msg).toBe('mail to [email] failed');
		expect(line.error).toContain('boom [jwt] from [ip]');
		expect(typeof line.time).toBe('string');
	});

	it('scrub removes keys, bearer tokens and query strings', () => {
		expect(
			scrub('GET /auth/confirm?token_hash=abc&type=invite with Bearer abc.def sb_secret_xyz')
		).toBe('GET /auth/confirm?[query] with Bearer [token] [key]');
	});
});
