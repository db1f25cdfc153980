import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createMailer, sendQuietly } from './mailer';

const mail = { to: 'a@example.test', subject: 'Hallo', text: 'Text' };

describe('mailer', () => {
	it('picks the webhook, the local outbox or only logging from the configuration', () => {
		expect(createMailer({ webhookUrl: 'https://relay.example/send' }).kind).toBe('webhook');
		expect(
			createMailer({ supabaseUrl: 'http://127.0.0.1:54321', secretKey: 'sb_secret_x' }).kind
		).toBe('outbox');
		expect(
			createMailer({ supabaseUrl: 'https://abc.supabase.co', secretKey: 'sb_secret_x' }).kind
		).toBe('log');
	});

	it('logs instead of sending without a transport', async () => {
		const lines: string[] = [];
		await createMailer({ log: (line) => lines.push(line) }).send(mail);
		expect(lines).toEqual(['mail not sent, no transport configured: Hallo']);
	});

	it('posts JSON with the token to the webhook; a refusal fails quietly', async () => {
		const received: { auth?: string; body: unknown }[] = [];
		let status = 202;
		const server = createServer((req, res) => {
			let body = '';
			req.on('data', (c) => (body += c));
			req.on('end', () => {
				received.push({ auth: req.headers.authorization, body: JSON.parse(body) });
				res.writeHead(status).end();
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
		try {
			const mailer = createMailer({ webhookUrl: url, webhookToken: 't0k' });
			expect(await sendQuietly(mailer, mail)).toBe(true);
			expect(received).toEqual([{ auth: 'Bearer t0k', body: mail }]);
			status = 500;
			expect(await sendQuietly(mailer, mail)).toBe(false);
		} finally {
			server.close();
		}
	});
});
