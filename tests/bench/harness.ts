/** Shared shape of benchmark results; `npm run bench` collects them from every `*.bench.ts`. */
export interface BenchResult {
	/** snake_case figure name, e.g. `rest_select_overhead_ratio`. */
	name: string;
	value: number;
	unit: string;
	/** The same work measured in the same run by a reference (a static file, plain SQL, ImageMagick). */
	baseline?: number;
	/** value / baseline (or the inverse where the name says so), computed by the bench itself. */
	ratio?: number;
	/** The target from the issue, printed next to the figure. */
	target?: string;
	note?: string;
}

/** A bench module default-exports one of these. It must clean up after itself. */
export type Bench = () => Promise<BenchResult[]>;

/** Median of a sample. */
export function p50(samples: number[]): number {
	return percentile(samples, 50);
}

export function percentile(samples: number[], p: number): number {
	const sorted = [...samples].sort((a, b) => a - b);
	if (sorted.length === 0) return Number.NaN;
	const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[rank];
}
