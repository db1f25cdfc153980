import type { ImageErrorCode } from '../images/errors.ts';

/** Codes a piece request can be refused with; the UI translates each (message key = code). */
export type PieceErrorCode =
	| ImageErrorCode
	| 'piece_not_found'
	| 'piece_not_editable'
	| 'piece_upload_invalid'
	| 'piece_upload_missing'
	| 'piece_too_many_photos'
	| 'piece_no_photos'
	| 'piece_role_invalid'
	| 'piece_quota_exceeded'
	| 'piece_rate_limited'
	| 'piece_upload_failed';

/** An expected refusal with a translatable code and the HTTP status to answer with. */
export class PieceError extends Error {
	constructor(
		readonly code: PieceErrorCode,
		readonly status = 400
	) {
		super(code);
		this.name = 'PieceError';
	}
}

/** True for a {@link PieceError}, also across module copies (vite SSR and tsx). */
export function isPieceError(error: unknown): error is PieceError {
	return error instanceof Error && error.name === 'PieceError' && 'code' in error;
}
