/** Seconds each piece stays, from `?interval=` (2–120), 10 by default. */
export function kioskInterval(url: URL): number {
	const seconds = Number(url.searchParams.get('interval') ?? '10');
	return Number.isFinite(seconds) ? Math.min(120, Math.max(2, seconds)) * 1000 : 10_000;
}
