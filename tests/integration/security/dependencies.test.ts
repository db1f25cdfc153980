/**
 * Dependency gate (checklist C30, issue 8 "Dependencies"): fails when an installed copy of a
 * security-relevant package is older than the release that fixed the advisories listed beside
 * its minimum. It reads the installed tree, nested copies included, not package.json ranges.
 *
 * `npm audit` cannot replace it here: the registry this project installs from answers the bulk
 * advisory endpoint with 405 (see tests/security/README.md). When a new advisory appears, raise
 * the minimum and add its id.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

interface Gate {
	minimum: string;
	advisories: string[];
}

export const MINIMUMS: Record<string, Gate> = {
	sharp: {
		minimum: '0.35.4',
		// libvips heap overflow (0.35.4); libwebp CVE-2023-4863 (0.32.6).
		advisories: ['GHSA-rgj7-g3m4-5g8c', 'GHSA-54xq-cgqr-rpm3']
	},
	'@sveltejs/kit': {
		minimum: '2.49.5',
		// CSRF (1.15.1/1.15.2), unescaped error.html (2.8.3), search-param XSS (2.20.6),
		// prerender DoS/SSRF and remote-form memory amplification (2.49.5).
		advisories: [
			'GHSA-5p75-vc5g-8rv2',
			'GHSA-gv7g-x59x-wf8f',
			'GHSA-mh2x-fcqh-fmqv',
			'GHSA-6q87-84jw-cjhp',
			'GHSA-j62c-4x62-9r35',
			'GHSA-j2f3-wq62-6q46'
		]
	},
	svelte: {
		minimum: '5.53.5',
		// mXSS (4.2.19); SSR spread/event-handler XSS and svelte:element tag injection (5.51.5);
		// hydration-marker comment XSS and contenteditable bind XSS (5.53.5).
		advisories: [
			'GHSA-8266-84wp-wv5c',
			'GHSA-h7h7-mm68-gmrc',
			'GHSA-f7gr-6p89-r883',
			'GHSA-m56q-vw4c-c2cp',
			'GHSA-qgvg-pr8v-6rr3',
			'GHSA-phwv-c562-gvmh'
		]
	},
	devalue: {
		minimum: '5.9.2',
		// prototype pollution in parse (5.3.2); parse memory/CPU exhaustion (5.6.2, 5.6.4, 5.8.1);
		// out-of-range references in parse/unflatten (5.9.2).
		advisories: [
			'GHSA-vj54-72f3-p5jv',
			'GHSA-g2pg-6438-jwpf',
			'GHSA-vw5p-8cq8-m7mv',
			'GHSA-cfw5-2vxh-hr84',
			'GHSA-mwv9-gp5h-frr4',
			'GHSA-77vg-94rm-hx3p',
			'GHSA-9rgm-9g3h-6x36'
		]
	},
	cookie: {
		minimum: '0.7.0',
		// Out-of-bounds characters accepted in cookie name, path and domain.
		advisories: ['GHSA-pxg6-pf52-xh8x']
	},
	'@supabase/auth-js': {
		minimum: '2.69.1',
		// Path routing from malformed user input (user ids in admin URLs).
		advisories: ['GHSA-8r88-6cj9-9fh5']
	},
	// No advisory names these two themselves; their auth client and cookie parser are gated above.
	// The minimums are the releases this project's session handling is tested with.
	'@supabase/supabase-js': { minimum: '2.119.2', advisories: [] },
	'@supabase/ssr': { minimum: '0.12.7', advisories: [] }
};

/**
 * Installed copies deliberately left below a minimum, with the reason. None at present: SvelteKit 3
 * brought cookie 2, so its nested copy no longer needs the exception SvelteKit 2's cookie ^0.6 had.
 */
export const ACCEPTED: Record<string, string> = {};

/** -1, 0 or 1 comparing `a` and `b` by their numeric major.minor.patch (pre-release tags ignored). */
export function compareVersions(a: string, b: string): number {
	const parts = (v: string) =>
		v
			.split('-')[0]
			.split('.')
			.map((n) => Number(n) || 0);
	const [x, y] = [parts(a), parts(b)];
	for (let i = 0; i < 3; i++) {
		if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0) ? -1 : 1;
	}
	return 0;
}

/** Every installed copy of the gated packages: [package folder, name, version]. */
function installedCopies(root: string): [string, string, string][] {
	const found: [string, string, string][] = [];
	const visit = (modules: string) => {
		if (!existsSync(modules)) return;
		for (const entry of readdirSync(modules)) {
			if (entry.startsWith('.')) continue;
			const names = entry.startsWith('@')
				? readdirSync(join(modules, entry)).map((sub) => `${entry}/${sub}`)
				: [entry];
			for (const name of names) {
				const dir = join(modules, name);
				const manifest = join(dir, 'package.json');
				if (name in MINIMUMS && existsSync(manifest)) {
					const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
					found.push([relative(root, dir), name, version]);
				}
				visit(join(dir, 'node_modules'));
			}
		}
	};
	visit(join(root, 'node_modules'));
	return found;
}

describe('dependency gate', () => {
	const root = resolve('.');
	const copies = installedCopies(root);

	it('compares versions numerically', () => {
		expect(compareVersions('0.35.10', '0.35.4')).toBe(1);
		expect(compareVersions('0.35.3', '0.35.4')).toBe(-1);
		expect(compareVersions('2.49.5', '2.49.5')).toBe(0);
		expect(compareVersions('5.53.5-next.1', '5.53.5')).toBe(0);
		expect(compareVersions('1.1.1', '0.7.0')).toBe(1);
	});

	it('finds every gated package installed', () => {
		const names = new Set(copies.map(([, name]) => name));
		expect([...names].sort()).toEqual(Object.keys(MINIMUMS).sort());
	});

	it('has no installed copy below the release fixing its known advisories', () => {
		const tooOld = copies
			.filter(([dir, name, version]) => {
				return compareVersions(version, MINIMUMS[name].minimum) < 0 && !(dir in ACCEPTED);
			})
			.map(([dir, name, version]) => `${dir}: ${version} < ${MINIMUMS[name].minimum}`);
		expect(tooOld).toEqual([]);
	});

	it('names an advisory for every minimum that is not just the tested release', () => {
		for (const [name, gate] of Object.entries(MINIMUMS)) {
			for (const id of gate.advisories)
				expect(id, name).toMatch(/^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/);
		}
		// Accepted exceptions must still exist, or they hide nothing and should go.
		for (const dir of Object.keys(ACCEPTED)) {
			expect(
				copies.some(([d]) => d === dir),
				dir
			).toBe(true);
		}
	});
});
