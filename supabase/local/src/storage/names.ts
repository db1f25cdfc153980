/** Object keys and bucket names as Supabase Storage accepts them (`storage/limits.ts`). */
import { errors } from './errors.ts';

// Storage's S3-safe set: ASCII word characters and a few punctuation marks. Everything else,
// including control characters, NUL and bidi overrides such as U+202E, is refused.
const KEY_PATTERN = /^(\w|\/|!|-|\.|\*|'|\(|\)| |&|\$|@|=|;|:|\+|,|\?)*$/;
const BUCKET_PATTERN = /^(\w|!|-|\.|\*|'|\(|\)| |&|\$|@|=|;|:|\+|,|\?)*$/;
/** S3's limit on key length, which Storage inherits from its backend. */
const MAX_KEY_BYTES = 1024;

/**
 * Throws InvalidKey unless `key` is a key Storage would store. Stricter than Storage on one point:
 * absolute keys and `.`/`..` or empty segments are refused, so a key can never read as a path.
 */
export function mustBeValidKey(key: string | undefined): asserts key is string {
	if (
		!key ||
		!KEY_PATTERN.test(key) ||
		Buffer.byteLength(key) > MAX_KEY_BYTES ||
		key.startsWith('/') ||
		key.split('/').some((segment) => segment === '.' || segment === '..' || segment === '')
	)
		throw errors.invalidKey(key ?? '');
}

export function mustBeValidBucketName(name: string | undefined): asserts name is string {
	if (!name || name.length > 100 || name.trim() !== name || !BUCKET_PATTERN.test(name))
		throw errors.invalidBucketName();
}

/** Splits `bucket/some/key` from a route wildcard, percent-decoded as Storage's router does. */
export function splitBucketAndKey(rest: string): { bucket: string; key: string } {
	const decoded = safeDecode(rest);
	const slash = decoded.indexOf('/');
	if (slash < 0) return { bucket: decoded, key: '' };
	return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}

export function safeDecode(value: string): string {
	try {
		return decodeURIComponent(value);
	} catch {
		throw errors.invalidKey(value);
	}
}

export function isEmptyFolderPlaceholder(key: string): boolean {
	return key.endsWith('.emptyFolderPlaceholder');
}
