/**
 * Reads an upload body (multipart or raw, spec §4.4) straight into a temporary file, before any
 * database work, so a slow client never holds the single PGlite connection.
 */
import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { errors } from './errors.ts';
import type { FileStore } from './file-store.ts';

export interface UploadBody {
	tempPath: string;
	size: number;
	mimetype: string;
	cacheControl: string;
	userMetadata: Record<string, unknown> | null;
}

const MAX_USER_METADATA_BYTES = 1024 * 1024;

/** Parses the upload and enforces `limit` while streaming; the caller owns `tempPath` afterwards. */
export function readUploadBody(
	req: IncomingMessage,
	store: FileStore,
	limit: number
): Promise<UploadBody> {
	const contentType = req.headers['content-type'] ?? '';
	return /^multipart\/form-data/i.test(contentType)
		? readMultipart(req, store, limit)
		: readRaw(req, store, limit);
}

async function readRaw(req: IncomingMessage, store: FileStore, limit: number): Promise<UploadBody> {
	const declared = Number(req.headers['content-length']);
	if (Number.isFinite(declared) && declared > limit) {
		req.resume();
		throw errors.entityTooLarge();
	}
	const userMetadata = parseMetadataHeader(header(req, 'x-metadata'));
	const stored = await store.writeTemp(req, limit);
	return {
		...stored,
		mimetype: header(req, 'content-type') || 'application/octet-stream',
		cacheControl: header(req, 'cache-control') || 'no-cache',
		userMetadata
	};
}

function readMultipart(req: IncomingMessage, store: FileStore, limit: number): Promise<UploadBody> {
	return new Promise<UploadBody>((resolve, reject) => {
		const fields: Record<string, string> = {};
		let file: Promise<{ tempPath: string; size: number }> | null = null;
		let partType = '';
		let parser: busboy.Busboy;
		try {
			parser = busboy({ headers: req.headers, limits: { fieldSize: MAX_USER_METADATA_BYTES } });
		} catch {
			req.resume();
			reject(errors.invalidRequest('Malformed multipart body'));
			return;
		}
		parser.on('field', (name, value) => {
			fields[name] = value;
		});
		parser.on('file', (_name, stream, info) => {
			if (file) {
				stream.resume();
				return;
			}
			partType = info.mimeType;
			file = store.writeTemp(stream, limit);
			// Failures are reported once the whole body is read, below.
			file.catch(() => undefined);
		});
		parser.on('error', () => {
			req.unpipe(parser);
			req.resume();
			void Promise.resolve(file)
				.then((f) => store.discard(f?.tempPath))
				.catch(() => undefined)
				.finally(() => reject(errors.invalidRequest('Malformed multipart body')));
		});
		parser.on('close', () => {
			if (!file) {
				reject(errors.noContent());
				return;
			}
			file.then(
				async (stored) => {
					try {
						const userMetadata = parseMetadataJson(fields.metadata ?? fields.userMetadata);
						const cacheControlField = fields.cacheControl;
						resolve({
							...stored,
							mimetype: fields.contentType || partType || 'application/octet-stream',
							cacheControl: cacheControlField ? `max-age=${cacheControlField}` : 'no-cache',
							userMetadata
						});
					} catch (error) {
						await store.discard(stored.tempPath);
						reject(error);
					}
				},
				(error: unknown) => reject(error)
			);
		});
		req.on('aborted', () => parser.destroy(new Error('aborted')));
		req.pipe(parser);
	});
}

function header(req: IncomingMessage, name: string): string | undefined {
	const value = req.headers[name];
	return Array.isArray(value) ? value[0] : value;
}

function parseMetadataHeader(value: string | undefined): Record<string, unknown> | null {
	if (!value) return null;
	return parseMetadataJson(Buffer.from(value, 'base64').toString('utf8'));
}

function parseMetadataJson(value: string | undefined): Record<string, unknown> | null {
	if (value === undefined || value === '') return null;
	if (Buffer.byteLength(value) > MAX_USER_METADATA_BYTES)
		throw errors.invalidParameter('metadata', 'metadata is too large');
	try {
		const parsed: unknown = JSON.parse(value);
		if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
			return parsed as Record<string, unknown>;
	} catch {
		// reported below
	}
	throw errors.invalidParameter('metadata', 'metadata must be a JSON object');
}
