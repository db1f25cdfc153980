/** The `Prefer`, `Accept`, `Range` and profile headers (spec §3.1, §3.8). */
import { RestError, parseError } from './errors.ts';

export interface Preferences {
	return?: 'minimal' | 'representation' | 'headers-only';
	count?: 'exact' | 'planned' | 'estimated';
	resolution?: 'merge-duplicates' | 'ignore-duplicates';
	missingDefault: boolean;
	strict: boolean;
	maxAffected?: number;
}

/** Reads every `Prefer` value; unknown or invalid ones are ignored, as PostgREST's lenient mode does. */
export function parsePrefer(header: string | string[] | undefined): Preferences {
	const prefs: Preferences = { missingDefault: false, strict: false };
	const text = Array.isArray(header) ? header.join(',') : (header ?? '');
	for (const token of text.split(',')) {
		const [name, value] = token
			.trim()
			.split('=')
			.map((s) => s?.trim());
		if (
			name === 'return' &&
			(value === 'minimal' || value === 'representation' || value === 'headers-only')
		)
			prefs.return = value;
		else if (
			name === 'count' &&
			(value === 'exact' || value === 'planned' || value === 'estimated')
		)
			prefs.count = value;
		else if (
			name === 'resolution' &&
			(value === 'merge-duplicates' || value === 'ignore-duplicates')
		)
			prefs.resolution = value;
		else if (name === 'missing' && value === 'default') prefs.missingDefault = true;
		else if (name === 'handling' && value === 'strict') prefs.strict = true;
		else if (name === 'max-affected' && /^\d+$/.test(value ?? ''))
			prefs.maxAffected = Number(value);
	}
	return prefs;
}

export interface MediaChoice {
	singular: boolean;
	stripNulls: boolean;
	csv: boolean;
}

/** Picks the first acceptable media type of `Accept`; PGRST107 when none is. */
export function negotiate(accept: string | undefined): MediaChoice {
	if (!accept || accept.trim() === '') return { singular: false, stripNulls: false, csv: false };
	for (const entry of accept.split(',')) {
		const [type, ...params] = entry.split(';').map((s) => s.trim().toLowerCase());
		const stripNulls = params.includes('nulls=stripped');
		if (type === 'application/json' || type === '*/*' || type === 'application/*')
			return { singular: false, stripNulls: false, csv: false };
		if (type === 'text/csv') return { singular: false, stripNulls: false, csv: true };
		if (type === 'application/vnd.pgrst.object+json' || type === 'application/vnd.pgrst.object')
			return { singular: true, stripNulls, csv: false };
		if (type === 'application/vnd.pgrst.array+json' || type === 'application/vnd.pgrst.array')
			return { singular: false, stripNulls, csv: false };
	}
	throw new RestError(406, 'PGRST107', `None of these media types are available: ${accept}`);
}

/** `Range: a-b` / `a-` (items) → offset and optional limit. */
export function parseRange(header: string | undefined): { offset: number; limit?: number } | null {
	if (!header) return null;
	const match = /^(?:items=)?\s*(\d+)-(\d*)\s*$/.exec(header);
	if (!match)
		throw parseError(`"failed to parse Range header (${header})"`, 'expecting "<from>-<to>"');
	const offset = Number(match[1]);
	if (match[2] === '') return { offset };
	const last = Number(match[2]);
	if (last < offset)
		throw new RestError(
			416,
			'PGRST103',
			'Requested range not satisfiable',
			`The upper boundary of the range must be greater than or equal to the lower boundary.`
		);
	return { offset, limit: last - offset + 1 };
}

/** The schema a request addresses (`Accept-Profile` for reads, `Content-Profile` for writes). */
export function pickSchema(header: string | undefined, exposed: string[]): string {
	if (header === undefined || header === '') return exposed[0];
	if (!exposed.includes(header))
		throw new RestError(
			406,
			'PGRST106',
			`Invalid schema: ${header}`,
			null,
			`Only the following schemas are exposed: ${exposed.join(', ')}`
		);
	return header;
}
