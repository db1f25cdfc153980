import { describe, expect, it } from 'vitest';
import { FuzzySet } from './fuzzy.ts';

/** The examples of fuzzyset's and PostgREST's own doctests (Error.hs `noRpcHint`). */
describe('FuzzySet', () => {
	it('finds the closest entry as the Haskell fuzzyset does', () => {
		const films = new FuzzySet(['The Matrix', 'Terminator', 'Jurassic Park']);
		expect(films.closest('percolator')).toBe('Terminator');
		const states = new FuzzySet(['Virginia', 'Virgin Islands', 'Rhode Island', 'Maryland']);
		expect(states.closest('Burger Islands')).toBe('Virgin Islands');
		expect(states.closest('MARYLAND')).toBe('Maryland');
	});

	it('gives PostgREST’s function name hints at a 0.75 minimum score', () => {
		const names = new FuzzySet(['test', 'another']);
		expect(names.closest('testt', 0.75)).toBe('test');
		expect(names.closest('other', 0.75)).toBeNull();
		expect(names.closest('noclosealternative', 0.75)).toBeNull();
	});

	it('gives PostgREST’s argument list hints', () => {
		const lists = new FuzzySet(['(name, param, val)', '(attr, id)']);
		expect(lists.closest('(nam, pqaram, vall)')).toBe('(name, param, val)');
		expect(lists.closest('(param, val)')).toBe('(name, param, val)');
		expect(lists.closest('(attrs, id)')).toBe('(attr, id)');
		expect(lists.closest('(id)')).toBe('(attr, id)');
		expect(lists.closest('(noclosealternative)')).toBeNull();
	});
});
