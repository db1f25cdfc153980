/**
 * Copy buttons (`button[data-copy]`): copy the value to the clipboard and say so in the status
 * element `data-copy-status` names, with the text in `data-copied`. Hidden without JavaScript,
 * where they could do nothing; the address itself is on the page as a link.
 */
export function enhanceCopyButtons(root: Document): void {
	for (const button of root.querySelectorAll<HTMLButtonElement>('button[data-copy]')) {
		const status = root.getElementById(button.dataset.copyStatus ?? '');
		button.hidden = false;
		button.addEventListener('click', () => {
			navigator.clipboard.writeText(button.dataset.copy ?? '').then(
				() => {
					if (status) status.textContent = button.dataset.copied ?? '';
				},
				() => {
					if (status) status.textContent = '';
				}
			);
		});
	}
}
