import { describe, expect, it } from 'vitest';
import { readProjectForm } from './project-settings';

const form = (fields: Record<string, string>) => {
	const data = new FormData();
	for (const [key, value] of Object.entries(fields)) data.set(key, value);
	return data;
};

describe('readProjectForm', () => {
	it('reads a name, funders one per line and the period', () => {
		expect(
			readProjectForm(
				form({
					project_name: ' Fäden ',
					funders: 'Stiftung A\r\n\r\n  Programm B  \n',
					period_start: '2026-06-01',
					period_end: '2027-05-31'
				})
			)
		).toEqual({
			project_name: 'Fäden',
			funders: ['Stiftung A', 'Programm B'],
			period_start: '2026-06-01',
			period_end: '2027-05-31'
		});
	});

	it('takes no period as "not set"', () => {
		expect(readProjectForm(form({ project_name: 'X', funders: '' }))).toMatchObject({
			period_start: null,
			period_end: null
		});
	});

	it.each([
		['no name', { project_name: ' ' }],
		['one date only', { project_name: 'X', period_start: '2026-06-01' }],
		[
			'end before start',
			{ project_name: 'X', period_start: '2026-06-01', period_end: '2026-05-31' }
		],
		[
			'an impossible date',
			{ project_name: 'X', period_start: '2026-02-30', period_end: '2026-05-31' }
		],
		['eleven funders', { project_name: 'X', funders: Array(11).fill('F').join('\n') }]
	])('refuses %s', (_, fields) => {
		expect(readProjectForm(form(fields))).toBeNull();
	});
});
