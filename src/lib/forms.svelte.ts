/**
 * Submit functions for `use:enhance` that the app's forms share. Both keep what the person typed
 * when the action answers: a failed action returns a code to show beside the fields, and emptying
 * them then would lose a participant's text.
 */
import type { SubmitFunction } from '$app/forms';

/** Applies the action's answer without resetting the form. */
export const keepValues: SubmitFunction =
	() =>
	({ update }) =>
		update({ reset: false });

/**
 * A form whose submit button is disabled while its action runs, against double sends (joining or
 * signing in twice): `use:enhance={pending.submit}` and `disabled={pending.busy}`.
 */
export class PendingForm {
	busy = $state(false);

	submit: SubmitFunction = () => {
		this.busy = true;
		return async ({ update }) => {
			await update({ reset: false });
			this.busy = false;
		};
	};
}
