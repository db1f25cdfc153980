/**
 * `npm run bench [-- filter]`: runs every `tests/bench/*.bench.ts` (or those whose file name
 * contains the filter) one after another, prints a table and writes `results/latest.json`.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Bench, BenchResult } from './harness.ts';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';
const files = readdirSync(here)
	.filter((f) => f.endsWith('.bench.ts') && f.includes(filter))
	.sort();

const results: BenchResult[] = [];
const failures: string[] = [];
for (const file of files) {
	const started = Date.now();
	console.log(`\n▶ ${file}`);
	try {
		const bench = (await import(pathToFileURL(join(here, file)).href)).default as Bench;
		const out = await bench();
		results.push(...out);
		for (const r of out) console.log(`  ${r.name} = ${format(r.value)} ${r.unit}`);
	} catch (error) {
		failures.push(file);
		console.error(`  ✗ ${file} failed: ${(error as Error).stack ?? String(error)}`);
	}
	console.log(`  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

function format(n: number | undefined): string {
	if (n === undefined || Number.isNaN(n)) return '';
	return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toFixed(3);
}

const rows = results.map((r) => [
	r.name,
	format(r.value),
	r.unit,
	format(r.baseline),
	format(r.ratio),
	r.target ?? '',
	r.note ?? ''
]);
const header = ['benchmark', 'value', 'unit', 'baseline', 'ratio', 'target', 'note'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const line = (cells: string[]) =>
	cells
		.map((c, i) => c.padEnd(widths[i]))
		.join('  ')
		.trimEnd();
console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
for (const row of rows) console.log(line(row));

const json: Record<string, { value: number; unit: string; baseline?: number; ratio?: number }> = {};
for (const r of results) {
	json[r.name] = { value: r.value, unit: r.unit };
	if (r.baseline !== undefined) json[r.name].baseline = r.baseline;
	if (r.ratio !== undefined) json[r.name].ratio = r.ratio;
}
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'latest.json'), `${JSON.stringify(json, null, '\t')}\n`);
console.log(`\nwrote tests/bench/results/latest.json (${results.length} figures)`);
if (failures.length) {
	console.error(`failed: ${failures.join(', ')}`);
	process.exitCode = 1;
}
