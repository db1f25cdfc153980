/**
 * Runs before `npm start`, `npm test` and the other scripts (package.json "pre…" hooks) and stops at
 * once, with one clear line, when Node.js is older than `engines.node`: otherwise an old Node fails
 * deep inside a dependency with a stack trace. Plain JavaScript that any Node version can parse.
 */
import { readFileSync } from 'node:fs';

const { engines } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const minimum = String(engines.node).replace(/^>=\s*/, '');
const have = process.versions.node.split('.').map(Number);
const need = minimum.split('.').map(Number);
let older = false;
for (let i = 0; i < need.length; i++) {
	if ((have[i] ?? 0) !== need[i]) {
		older = (have[i] ?? 0) < need[i];
		break;
	}
}
if (older) {
	console.error(
		`connecting-thread needs Node.js ${minimum} or newer (26 LTS recommended); this is ${process.version}.\n` +
			'Install a current Node, for example: npm install --prefix ~/.local/node26 node@26 && ' +
			'export PATH="$HOME/.local/node26/node_modules/.bin:$PATH"'
	);
	process.exit(1);
}
// `--print` (npm test): say which Node runs the suite, so a CI log shows it.
if (process.argv.includes('--print')) console.log(`node ${process.version}`);
