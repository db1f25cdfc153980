/**
 * The response rules of oEmbed 1.0 (https://oembed.com, §2.3.4 and §2.3.4.4 for `rich`), as a
 * checker the unit tests and the end-to-end specs share. It returns the broken rules, so a failing
 * assertion names them; an empty list means the object is a valid `rich` response.
 */
export function oembedViolations(
	value: unknown,
	limits: { maxwidth?: number; maxheight?: number } = {}
): string[] {
	const problems: string[] = [];
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['not an object'];
	const r = value as Record<string, unknown>;
	const isString = (name: string) => typeof r[name] === 'string';
	const isPositiveInteger = (name: string) =>
		typeof r[name] === 'number' && Number.isInteger(r[name]) && (r[name] as number) > 0;
	const isUrl = (name: string) => {
		try {
			return ['http:', 'https:'].includes(new URL(String(r[name])).protocol);
		} catch {
			return false;
		}
	};

	// Required for every type.
	if (r.type !== 'rich') problems.push(`type is ${JSON.stringify(r.type)}, expected "rich"`);
	if (r.version !== '1.0') problems.push(`version is ${JSON.stringify(r.version)}, must be "1.0"`);
	// Required for rich.
	if (!isString('html') || !(r.html as string).trim()) problems.push('html missing');
	if (!isPositiveInteger('width')) problems.push('width must be a positive integer');
	if (!isPositiveInteger('height')) problems.push('height must be a positive integer');
	// Optional, typed when present.
	for (const name of ['title', 'author_name', 'provider_name']) {
		if (name in r && !isString(name)) problems.push(`${name} must be a string`);
	}
	for (const name of ['author_url', 'provider_url', 'thumbnail_url']) {
		if (name in r && !isUrl(name)) problems.push(`${name} must be an http(s) URL`);
	}
	if ('cache_age' in r && !(Number.isInteger(r.cache_age) && (r.cache_age as number) >= 0)) {
		problems.push('cache_age must be a whole number of seconds');
	}
	const thumbnail = ['thumbnail_url', 'thumbnail_width', 'thumbnail_height'];
	const present = thumbnail.filter((name) => name in r);
	if (present.length > 0 && present.length < 3) {
		problems.push(`thumbnail fields come together, got only ${present.join(', ')}`);
	}
	for (const name of ['thumbnail_width', 'thumbnail_height']) {
		if (name in r && !isPositiveInteger(name)) problems.push(`${name} must be a positive integer`);
	}
	// maxwidth and maxheight bind the resource and its thumbnail (§2.2).
	const { maxwidth, maxheight } = limits;
	if (maxwidth !== undefined) {
		if ((r.width as number) > maxwidth) problems.push(`width ${r.width} > maxwidth ${maxwidth}`);
		if ((r.thumbnail_width as number) > maxwidth) problems.push('thumbnail wider than maxwidth');
	}
	if (maxheight !== undefined) {
		if ((r.height as number) > maxheight)
			problems.push(`height ${r.height} > maxheight ${maxheight}`);
		if ((r.thumbnail_height as number) > maxheight)
			problems.push('thumbnail taller than maxheight');
	}
	return problems;
}
