const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date `YYYY-MM-DD` that exists (no 31 February), or null. */
export function parseDate(value: string | null): string | null {
	const match = value ? DATE.exec(value) : null;
	if (!match) return null;
	const [year, month, day] = match.slice(1).map(Number);
	const date = new Date(Date.UTC(year, month - 1, day));
	return year >= 1900 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
		? (value as string)
		: null;
}
