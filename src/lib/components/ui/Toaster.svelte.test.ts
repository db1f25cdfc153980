import { fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import Toaster from './Toaster.svelte';
import { toasts } from './toast.svelte';

describe('Toaster', () => {
	it('announces toasts in a polite live region and dismisses them by button', async () => {
		render(Toaster);
		const region = screen.getByRole('status');
		expect(region.getAttribute('aria-live')).toBe('polite');

		flushSync(() => toasts.show('Foto gespeichert', 'success'));
		expect(region.textContent).toContain('Foto gespeichert');

		await fireEvent.click(screen.getByRole('button'));
		expect(region.textContent).not.toContain('Foto gespeichert');
		expect(toasts.items).toEqual([]);
	});

	it('keeps error toasts until they are dismissed', () => {
		const id = toasts.show('Hochladen fehlgeschlagen', 'error', 1);
		expect(toasts.items.map((toast) => toast.id)).toContain(id);
		toasts.dismiss(id);
		expect(toasts.items).toEqual([]);
	});
});
