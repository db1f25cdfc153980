export type ToastKind = 'info' | 'success' | 'error';

export interface Toast {
	id: number;
	message: string;
	kind: ToastKind;
}

const DEFAULT_TIMEOUT_MS = 6000;

class Toasts {
	items: Toast[] = $state([]);
	#next = 1;

	/**
	 * Shows a short, already localized message. Errors stay until dismissed, because a reader may
	 * need longer than any timeout; other kinds disappear after `timeoutMs`.
	 */
	show(message: string, kind: ToastKind = 'info', timeoutMs = DEFAULT_TIMEOUT_MS): number {
		const id = this.#next++;
		this.items.push({ id, message, kind });
		if (kind !== 'error' && timeoutMs > 0) setTimeout(() => this.dismiss(id), timeoutMs);
		return id;
	}

	dismiss(id: number): void {
		this.items = this.items.filter((toast) => toast.id !== id);
	}
}

/** The app-wide toast queue, rendered by `<Toaster />` in the layout of a participant's pages. */
export const toasts = new Toasts();
