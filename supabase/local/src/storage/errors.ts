/**
 * Supabase Storage's error shape (spec §4.2): the body carries the logical status as a string,
 * while the HTTP status is 400 for every error that is not a 500.
 */
import type { ServerResponse } from 'node:http';
import { asPgError, DatabaseUnavailableError } from '../core/db.ts';
import { sendJson, type LogLevel } from '../core/http.ts';

export class StorageError extends Error {
	constructor(
		readonly code: string,
		/** The logical status Storage puts in the body (`statusCode`). */
		readonly status: number,
		message: string,
		readonly error: string = code,
		/** Set only where Storage answers with a real HTTP status other than 400/500. */
		readonly httpStatus?: number
	) {
		super(message);
	}

	render() {
		return {
			statusCode: String(this.status),
			code: this.code,
			error: this.error,
			message: this.message
		};
	}
}

export const errors = {
	noSuchBucket: () => new StorageError('NoSuchBucket', 404, 'Bucket not found', 'Bucket not found'),
	noSuchKey: () => new StorageError('NoSuchKey', 404, 'Object not found', 'not_found'),
	noSuchUpload: () => new StorageError('NoSuchUpload', 404, 'Upload not found'),
	accessDenied: (message = 'Access denied') =>
		new StorageError('AccessDenied', 403, message, 'Unauthorized'),
	rlsDenied: () =>
		new StorageError(
			'AccessDenied',
			403,
			'new row violates row-level security policy',
			'Unauthorized'
		),
	keyAlreadyExists: () =>
		new StorageError('KeyAlreadyExists', 409, 'The resource already exists', 'Duplicate'),
	bucketAlreadyExists: () =>
		new StorageError('BucketAlreadyExists', 409, 'The resource already exists', 'Duplicate'),
	resourceAlreadyExists: () =>
		new StorageError('ResourceAlreadyExists', 409, 'The resource already exists', 'Duplicate'),
	bucketNotEmpty: () =>
		new StorageError('ResourceNotEmpty', 409, 'The bucket you tried to delete is not empty'),
	entityTooLarge: () =>
		new StorageError(
			'EntityTooLarge',
			413,
			'The object exceeded the maximum allowed size',
			'Payload too large'
		),
	invalidMimeType: (mimeType: string) =>
		new StorageError(
			'InvalidMimeType',
			415,
			`mime type ${mimeType} is not supported`,
			'invalid_mime_type'
		),
	invalidKey: (key: string) => new StorageError('InvalidKey', 400, `Invalid key: ${key}`),
	invalidBucketName: () =>
		new StorageError('InvalidBucketName', 400, 'Bucket name invalid', 'Invalid Input'),
	invalidFileSizeLimit: () =>
		new StorageError(
			'InvalidRequest',
			400,
			'Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B'
		),
	noContent: () => new StorageError('InvalidRequest', 400, 'No content provided'),
	invalidRequest: (message: string) => new StorageError('InvalidRequest', 400, message),
	invalidParameter: (name: string, message?: string) =>
		new StorageError('InvalidParameter', 400, message ?? `Invalid Parameter ${name}`),
	missingParameter: (name: string) =>
		new StorageError('MissingParameter', 400, `Missing Required Parameter ${name}`),
	invalidJwt: (message: string) => new StorageError('InvalidJWT', 400, message),
	invalidSignature: (message = 'Invalid signature') =>
		new StorageError('InvalidSignature', 400, message),
	expiredToken: () => new StorageError('ExpiredToken', 400, 'The provided token has expired.'),
	invalidRange: () =>
		new StorageError('InvalidRange', 400, 'invalid range provided', 'invalid_range'),
	notSupported: (feature: string) =>
		new StorageError('NotSupported', 400, `The feature ${feature} is not supported by this stack`),
	invalidUploadId: () => new StorageError('InvalidUploadId', 400, 'Invalid upload id'),
	metadataRequired: () => new StorageError('InvalidRequest', 400, 'Metadata header is required'),
	internal: (message = 'Internal server error') => new StorageError('InternalError', 500, message),
	database: (message: string) => new StorageError('DatabaseError', 500, message),
	databaseUnavailable: () => new StorageError('DatabaseError', 503, 'Database is not available')
};

/** Maps a Postgres error the way Storage's `database/errors.ts` does; other errors pass through. */
export function fromDatabaseError(error: unknown): unknown {
	if (error instanceof StorageError) return error;
	if (error instanceof DatabaseUnavailableError) return errors.databaseUnavailable();
	const pg = asPgError(error);
	if (!pg) return error;
	switch (pg.code) {
		case '42501':
			return pg.message.includes('row-level security')
				? errors.rlsDenied()
				: errors.accessDenied(pg.message);
		case '23505':
			return errors.resourceAlreadyExists();
		case '23503':
			return new StorageError('InvalidRequest', 404, 'The related resource does not exist');
		case '22P02':
			return errors.invalidParameter('', pg.message);
		default:
			return errors.database(pg.message);
	}
}

/** Writes an error in Storage's shape; anything unexpected becomes a logged 500. */
export function sendStorageError(
	res: ServerResponse,
	error: unknown,
	log: (message: string, level?: LogLevel) => void
): void {
	const mapped = fromDatabaseError(error);
	const storageError =
		mapped instanceof StorageError
			? mapped
			: errors.internal((mapped as Error)?.message ?? 'Internal server error');
	if (!(mapped instanceof StorageError))
		log(`storage: unexpected error: ${(mapped as Error)?.stack ?? String(mapped)}`, 'error');
	if (res.headersSent) {
		res.destroy();
		return;
	}
	const status =
		storageError.httpStatus ?? (storageError.status >= 500 ? storageError.status : 400);
	sendJson(res, status, storageError.render());
}
