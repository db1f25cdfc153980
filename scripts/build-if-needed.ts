/** Builds the production app when any of its sources is newer than the last build. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SOURCES = [
	'src',
	'static',
	'project.inlang',
	'package-lock.json',
	'svelte.config.js',
	'vite.config.ts'
];
const BUILD_STAMP = 'build/.sources-mtime';

function newestMtime(path: string): number {
	if (!existsSync(path)) return 0;
	const stat = statSync(path);
	if (!stat.isDirectory()) return stat.mtimeMs;
	let newest = stat.mtimeMs;
	for (const entry of readdirSync(path)) {
		if (path === 'src' && entry === 'lib') {
			for (const sub of readdirSync(join(path, entry)))
				if (sub !== 'paraglide') newest = Math.max(newest, newestMtime(join(path, entry, sub)));
			continue;
		}
		newest = Math.max(newest, newestMtime(join(path, entry)));
	}
	return newest;
}

export function buildIfNeeded(): void {
	const sources = Math.max(...SOURCES.map(newestMtime));
	const built = existsSync(BUILD_STAMP) ? Number(readFileSync(BUILD_STAMP, 'utf8')) : -1;
	if (existsSync('build/index.js') && built >= sources) return;
	console.log('Building the app (sources changed since the last build)…');
	const result = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
	if (result.status !== 0) process.exit(result.status ?? 1);
	writeFileSync(BUILD_STAMP, String(sources));
}
