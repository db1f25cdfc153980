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
	/** `application/vnd.pgrst.plan`: answer the statement's EXPLAIN instead of running it. */
	plan?: PlanChoice;
}

export interface PlanChoice {
	format: 'json' | 'text';
	/** EXPLAIN options in PostgREST's order: analyze, verbose, settings, buffers, wal. */
	options: string[];
	/** The `Content-Type` of the answer, as PostgREST's `toMime` prints the plan media type. */
	contentType: string;
}

const PLAN_OPTIONS = ['analyze', 'verbose', 'settings', 'buffers', 'wal'];

/** The `for=` media types a plan can be asked for: those this service answers in. */
const PLAN_TARGETS = new Set([
	'application/json',
	'application/vnd.pgrst.object+json',
	'text/csv',
	'*/*'
]);

/** PostgREST's `toMime . decodeMediaType` for the `for=` media type of a plan. */
function forMime(type: string): string {
	if (type === 'application/vnd.pgrst.object' || type === 'application/vnd.pgrst.object+json')
		return 'application/vnd.pgrst.object+json';
	if (type === 'application/vnd.pgrst.array' || type === 'application/vnd.pgrst.array+json')
		return 'application/json';
	return type === '' ? '*/*' : type;
}

/**
 * `application/vnd.pgrst.plan[+json|+text]; for="…"; options=a|b` as PostgREST's
 * `decodeMediaType` reads it (text by default, `for` application/json by default), or null.
 */
function parsePlan(
	type: string,
	params: string[]
): (PlanChoice & { mime: string; target: string }) | null {
	const format =
		type === 'application/vnd.pgrst.plan+json'
			? 'json'
			: type === 'application/vnd.pgrst.plan' || type === 'application/vnd.pgrst.plan+text'
				? 'text'
				: null;
	if (!format) return null;
	const forParam = params.find((p) => p.startsWith('for='));
	const target = forParam ? forMime(forParam.slice(4).replace(/^"+|"+$/g, '')) : 'application/json';
	const given = (params.find((p) => p.startsWith('options=')) ?? 'options=').slice(8).split('|');
	const options = PLAN_OPTIONS.filter((o) => given.includes(o));
	const mime = `application/vnd.pgrst.plan+${format}; for="${target}"${options.length ? `; options=${options.join('|')}` : ''}`;
	return { format, options, contentType: `${mime}; charset=utf-8`, mime, target };
}

/**
 * Picks the first acceptable media type of `Accept`; PGRST107 when none is. Plan media types are
 * offered only with `db-plan-enabled`, as PostgREST's `negotiateContent` does.
 */
export function negotiate(accept: string | undefined, planEnabled = false): MediaChoice {
	if (!accept || accept.trim() === '') return { singular: false, stripNulls: false, csv: false };
	// Like WAI's `parseHttpAccept`, PostgREST reads the header with its spaces removed.
	const refused: string[] = [];
	for (const entry of accept.split(',')) {
		const [type, ...params] = entry.split(';').map((s) => s.trim().toLowerCase());
		const stripNulls = params.includes('nulls=stripped');
		const plan = parsePlan(
			type,
			params.map((p) => p.replaceAll(' ', ''))
		);
		if (plan) {
			if (planEnabled && PLAN_TARGETS.has(plan.target))
				return {
					singular: plan.target === 'application/vnd.pgrst.object+json',
					stripNulls: false,
					csv: plan.target === 'text/csv',
					plan: { format: plan.format, options: plan.options, contentType: plan.contentType }
				};
			refused.push(plan.mime);
			continue;
		}
		refused.push(entry.trim());
		if (type === 'application/json' || type === '*/*' || type === 'application/*')
			return { singular: false, stripNulls: false, csv: false };
		if (type === 'text/csv') return { singular: false, stripNulls: false, csv: true };
		if (type === 'application/vnd.pgrst.object+json' || type === 'application/vnd.pgrst.object')
			return { singular: true, stripNulls, csv: false };
		if (type === 'application/vnd.pgrst.array+json' || type === 'application/vnd.pgrst.array')
			return { singular: false, stripNulls, csv: false };
	}
	const listed = refused.some((r) => r.startsWith('application/vnd.pgrst.plan'))
		? refused.join(', ')
		: accept;
	throw new RestError(406, 'PGRST107', `None of these media types are available: ${listed}`);
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
