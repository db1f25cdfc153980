/** Sends an object's bytes with Storage's headers (spec §4.5): ETag/304, Range/206, download names. */
import { open } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { ObjectRow, StorageServices } from './context.ts';
import { errors } from './errors.ts';

export interface ServeOptions {
	/** Signed URLs answer with `Expires` (the token's expiry) instead of the stored Cache-Control. */
	expiresAt?: number;
	/** `?download` / `?download=<name>` */
	download?: string | null;
	headOnly?: boolean;
}

export async function serveObject(
	services: StorageServices,
	req: IncomingMessage,
	res: ServerResponse,
	object: ObjectRow,
	options: ServeOptions = {}
): Promise<void> {
	if (!object.version) throw errors.noSuchKey();
	const path = services.files.objectPath(object.bucket_id, object.id, object.version);
	let handle;
	try {
		handle = await open(path, 'r');
	} catch {
		// The row was replaced or removed between our read and the open.
		throw errors.noSuchKey();
	}
	try {
		const size = (await handle.stat()).size;
		const metadata = object.metadata;
		const etag = metadata?.eTag ?? `"${object.version.replaceAll('-', '')}"`;
		const headers: Record<string, string | number> = {
			'content-type': metadata?.mimetype ?? 'application/octet-stream',
			etag,
			'last-modified': new Date(metadata?.lastModified ?? object.updated_at).toUTCString(),
			'accept-ranges': 'bytes',
			'x-robots-tag': 'none'
		};
		if (options.expiresAt !== undefined)
			headers['expires'] = new Date(options.expiresAt * 1000).toUTCString();
		else headers['cache-control'] = metadata?.cacheControl ?? 'no-cache';
		if (options.download !== undefined && options.download !== null)
			headers['content-disposition'] = contentDisposition(options.download);

		const ifNoneMatch = req.headers['if-none-match'];
		if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === etag)) {
			res.writeHead(304, headers);
			res.end();
			return;
		}

		const range = parseRange(req.headers['range'], size);
		if (range === 'invalid') {
			res.writeHead(416, { 'content-range': `bytes */${size}` });
			res.end();
			return;
		}
		const start = range?.start ?? 0;
		const end = range?.end ?? size - 1;
		headers['content-length'] = size === 0 ? 0 : end - start + 1;
		if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`;
		res.writeHead(range ? 206 : 200, headers);
		if (options.headOnly || req.method === 'HEAD' || size === 0) {
			res.end();
			return;
		}
		// The handle is closed below, not by the stream: with the stream closing it, a page run
		// that cancels many image requests left a handle to the garbage collector, which Node 26
		// turns into a fatal error that stopped the whole stack.
		const stream = handle.createReadStream({ start, end, autoClose: false });
		await pipeline(stream, res).catch(() => undefined);
	} finally {
		await handle?.close();
	}
}

function contentDisposition(name: string): string {
	if (name === '') return 'attachment;';
	const encoded = encodeURIComponent(name);
	return `attachment; filename=${encoded}; filename*=UTF-8''${encoded}`;
}

/** One `bytes=a-b` range; multi-range requests get the whole object, as many servers do. */
function parseRange(
	header: string | undefined,
	size: number
): { start: number; end: number } | null | 'invalid' {
	if (!header) return null;
	const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
	if (!match) return null;
	const [, from, to] = match;
	if (from === '' && to === '') return 'invalid';
	let start: number;
	let end: number;
	if (from === '') {
		start = Math.max(0, size - Number(to));
		end = size - 1;
	} else {
		start = Number(from);
		end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
	}
	if (start > end || start >= size) return 'invalid';
	return { start, end };
}
