/** A piece's lifecycle states, as the `public.piece_status` enum has them (browser-safe). */
export const PIECE_STATUSES = [
	'draft',
	'submitted',
	'changes_requested',
	'published',
	'rejected',
	'withdrawn'
] as const;
export type PieceStatus = (typeof PIECE_STATUSES)[number];
