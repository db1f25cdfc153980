import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import Field from './Field.svelte';

describe('Field', () => {
	it('labels the input and links hint and error to it', () => {
		render(Field, {
			label: 'Anzeigename',
			hint: 'So erscheinst du in der Galerie',
			error: 'Bitte gib einen Namen ein',
			name: 'display_name',
			required: true
		});
		const input = screen.getByLabelText(/Anzeigename/);
		expect(input.tagName).toBe('INPUT');
		expect(input.getAttribute('name')).toBe('display_name');
		expect(input.getAttribute('aria-invalid')).toBe('true');
		expect(input.hasAttribute('required')).toBe(true);
		const describedBy = (input.getAttribute('aria-describedby') ?? '').split(' ');
		const descriptions = describedBy.map((id) => document.getElementById(id)?.textContent);
		expect(descriptions).toEqual(['So erscheinst du in der Galerie', 'Bitte gib einen Namen ein']);
	});

	it('is neither invalid nor described when there is no hint or error', () => {
		render(Field, { label: 'Titel' });
		const input = screen.getByLabelText('Titel');
		expect(input.hasAttribute('aria-invalid')).toBe(false);
		expect(input.hasAttribute('aria-describedby')).toBe(false);
	});

	it('gives two fields distinct ids', () => {
		render(Field, { label: 'Eins' });
		render(Field, { label: 'Zwei' });
		expect(screen.getByLabelText('Eins').id).not.toBe(screen.getByLabelText('Zwei').id);
	});
});
