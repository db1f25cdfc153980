import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { affectedUrls, createPurger } from './purge';

describe('cache purge hook', () => {
	it('names the piece in every language, the feeds and the gallery prefixes', () => {
		const request = affectedUrls('https://faden.example/', 'p1');
		expect(request.urls).toContain('https://faden.example/uk/pieces/p1');
		expect(request.urls).toContain('https://faden.example/ar/pieces/p1');
		expect(request.urls).toContain('https://faden.example/feed.xml');
		expect(request.prefixes).toContain('https://faden.example/fa/gallery');
		// Other sites frame the piece: its embed pages and the oEmbed answers go too.
		expect(request.urls).toContain('https://faden.example/ar/embed/piece/p1');
		expect(request.urls).toContain('https://faden.example/embed/piece/p1');
		expect(request.prefixes).toContain('https://faden.example/uk/embed/');
		expect(request.prefixes).toContain('https://faden.example/oembed');
		expect(request.urls.every((u) => !u.includes('//de') && u.startsWith('https://'))).toBe(true);
	});

	it('is a no-op without a URL', async () => {
		const purger = createPurger(undefined);
		expect(purger.enabled).toBe(false);
		await expect(purger.purge({ urls: ['x'], prefixes: [] })).resolves.toBeUndefined();
	});

	it('posts the URLs with the token to the webhook and reports a refusal', async () => {
		const received: { auth?: string; body: string }[] = [];
		let status = 200;
		const server = createServer((req, res) => {
			let body = '';
			req.on('data', (c) => (body += c));
			req.on('end', () => {
				received.push({ auth: req.headers.authorization, body });
				res.writeHead(status).end();
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/purge`;
		try {
			const purger = createPurger(url, 'secret');
			const request = affectedUrls('https://faden.example', 'p2');
			await purger.purge(request);
			expect(received).toEqual([{ auth: 'Bearer secret', body: JSON.stringify(request) }]);
			status = 500;
			await expect(purger.purge(request)).rejects.toThrow('500');
		} finally {
			server.close();
		}
	});
});
