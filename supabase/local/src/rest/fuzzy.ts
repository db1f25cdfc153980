/**
 * The fuzzy string set PostgREST's hints come from (Haskell `fuzzyset` 0.2, a port of
 * fuzzyset.js): cosine similarity of 3-gram (then 2-gram) vectors, re-scored by the normalised
 * Levenshtein ratio of the 50 best. Reproduced step by step, ties included, so a hint names the
 * same candidate as PostgREST does.
 */

interface Item {
	magnitude: number;
	/** The lower-cased entry; the Levenshtein ratio compares these. */
	key: string;
}

const GRAM_SIZES = [3, 2];

/** Lower-cased, keeping letters, digits, white space and commas (`Data.FuzzySet.Util.normalized`). */
const normalized = (value: string): string =>
	[...value.toLowerCase()].filter((ch) => /[\p{L}\p{N}\s,]/u.test(ch)).join('');

function gramVector(value: string, size: number): Map<string, number> {
	const chars = [...`-${normalized(value)}-`];
	const grams = new Map<string, number>();
	for (let i = 0; i + size <= chars.length; i++) {
		const gram = chars.slice(i, i + size).join('');
		grams.set(gram, (grams.get(gram) ?? 0) + 1);
	}
	return grams;
}

const norm = (counts: Iterable<number>): number => {
	let sum = 0;
	for (const c of counts) sum += c * c;
	return Math.sqrt(sum);
};

/** `1 - distance / max length` over code points (`Data.Text.Metrics.levenshteinNorm`). */
function levenshteinRatio(a: string, b: string): number {
	const s = [...a];
	const t = [...b];
	if (s.length === 0 && t.length === 0) return 1;
	let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
	for (let i = 1; i <= s.length; i++) {
		const current = [i];
		for (let j = 1; j <= t.length; j++)
			current[j] = Math.min(
				previous[j] + 1,
				current[j - 1] + 1,
				previous[j - 1] + (s[i - 1] === t[j - 1] ? 0 : 1)
			);
		previous = current;
	}
	return 1 - previous[t.length] / Math.max(s.length, t.length);
}

/**
 * The iteration order of a Haskell `HashMap Int`: by the key's 5-bit chunks from the lowest,
 * which is how the hash array mapped trie lays out small integer keys.
 */
function trieOrder(a: number, b: number): number {
	for (let x = a, y = b; x !== y; x >>>= 5, y >>>= 5) {
		const d = (x & 31) - (y & 31);
		if (d !== 0) return d;
	}
	return 0;
}

export class FuzzySet {
	private readonly exact = new Map<string, string>();
	private readonly items = new Map<number, Item[]>();
	private readonly dict = new Map<number, Map<string, [index: number, count: number][]>>();

	/** `fromList`: a right fold, so the last value is added first and wins over later duplicates. */
	constructor(values: string[]) {
		for (let i = values.length - 1; i >= 0; i--) this.add(values[i]);
	}

	private add(value: string): void {
		const key = value.toLowerCase();
		if (this.exact.has(key)) return;
		for (const size of GRAM_SIZES) {
			const items = this.items.get(size) ?? [];
			const dict = this.dict.get(size) ?? new Map<string, [number, number][]>();
			const grams = gramVector(key, size);
			for (const [gram, count] of grams)
				dict.set(gram, [[items.length, count], ...(dict.get(gram) ?? [])]);
			items.push({ magnitude: norm(grams.values()), key });
			this.items.set(size, items);
			this.dict.set(size, dict);
		}
		this.exact.set(key, value);
	}

	/** The closest entry scoring at least `minScore` (`getOneWithMinScore`), or null. */
	closest(value: string, minScore = 0.33): string | null {
		const key = value.toLowerCase();
		const exact = this.exact.get(key);
		if (exact !== undefined) return exact;
		for (const size of GRAM_SIZES) {
			const found = this.matches(key, size, minScore);
			if (found.length > 0) return this.exact.get(found[0].key) ?? '';
		}
		return null;
	}

	private matches(query: string, size: number, minScore: number): { score: number; key: string }[] {
		const grams = gramVector(query, size);
		const dict = this.dict.get(size);
		const items = this.items.get(size) ?? [];
		const dots = new Map<number, number>();
		for (const [gram, count] of grams)
			for (const [index, other] of dict?.get(gram) ?? [])
				dots.set(index, (dots.get(index) ?? 0) + other * count);
		const magnitude = norm(grams.values());
		const byCosine = [...dots.keys()]
			.sort(trieOrder)
			.map((index) => ({
				score: dots.get(index)! / (magnitude * items[index].magnitude),
				key: items[index].key
			}))
			.sort((a, b) => b.score - a.score);
		return byCosine
			.slice(0, 50)
			.map((m) => ({ score: levenshteinRatio(query, m.key), key: m.key }))
			.sort((a, b) => b.score - a.score)
			.filter((m) => m.score >= minScore);
	}
}
