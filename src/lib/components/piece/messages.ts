import * as m from '#lib/paraglide/messages.js';

type MessageFn = (inputs?: Record<string, unknown>) => string;
const messages = m as unknown as Record<string, MessageFn | undefined>;

/**
 * The translated text for an error code of the piece area (`piece_…`, `image_…`, `story_…`, and
 * `security_storage_full` from the storage quota). Codes
 * are message keys; an unknown code falls back to the generic upload failure.
 */
export function pieceMessage(code: string, inputs: Record<string, unknown> = {}): string {
	const fn = /^(piece|image|story|security)_[a-z_]+$/.test(code) ? messages[code] : undefined;
	return (fn ?? m.piece_upload_failed)(inputs);
}
