import type { Editor } from '@tiptap/core';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it, vi } from 'vitest';
import { STORY_MAX_LIST_DEPTH, type StoryDoc } from '#lib/richtext/schema.ts';
import { validateStory } from '#lib/richtext/validate.ts';
import StoryEditor, { type StoryEditorLabels } from './StoryEditor.svelte';

const labels: StoryEditorLabels = {
	editor: 'Geschichte',
	toolbar: 'Textformat',
	bold: 'Fett',
	italic: 'Kursiv',
	bulletList: 'Aufzählung',
	orderedList: 'Nummerierte Liste',
	link: 'Link einfügen',
	unlink: 'Link entfernen',
	linkPrompt: 'Adresse des Links',
	linkApply: 'Übernehmen',
	linkCancel: 'Abbrechen',
	linkInvalid: 'Nur Adressen mit https://, http:// oder mailto: sind möglich.',
	tooLong: 'Die Geschichte ist zu lang.',
	characterCount: (count, max) => `${count} von ${max} Zeichen`
};

// jsdom has no ClipboardEvent; ProseMirror only needs an event object to pass to paste handlers.
const pasteEvent = () => new Event('paste') as ClipboardEvent;

const story = (text: string): StoryDoc => ({
	type: 'doc',
	content: [{ type: 'paragraph', content: [{ type: 'text', text }] }]
});

/** Renders the editor and waits until tiptap has replaced the fallback textarea. */
async function renderEditor(props: Partial<Parameters<typeof render<typeof StoryEditor>>[1]> = {}) {
	const onchange = vi.fn<(doc: StoryDoc) => void>();
	const result = render(StoryEditor, { name: 'story', labels, onchange, ...props });
	await waitFor(() => expect(result.container.querySelector('textarea')).toBeNull());
	const textbox = screen.getByRole('textbox', { name: 'Geschichte' });
	expect(textbox.getAttribute('contenteditable')).toBe('true');
	const editor = (textbox as HTMLElement & { editor: Editor }).editor;
	const hidden = () =>
		JSON.parse((result.container.querySelector('input[name="story"]') as HTMLInputElement).value);
	return { ...result, textbox, editor, hidden, onchange };
}

describe('StoryEditor', () => {
	it('shows a plain textarea until the editor has loaded', async () => {
		const { container } = render(StoryEditor, { name: 'story', labels, value: story('Hallo') });
		const fallback = container.querySelector('textarea') as HTMLTextAreaElement;
		expect(fallback.name).toBe('story_plain');
		expect(fallback.value).toBe('Hallo');
		expect(fallback.getAttribute('aria-label')).toBe('Geschichte');
		await waitFor(() => expect(container.querySelector('textarea')).toBeNull());
		expect(container.querySelector('[contenteditable="true"]')?.textContent).toBe('Hallo');
	});

	it('labels the text and every toolbar button, with pressed states', async () => {
		const { textbox } = await renderEditor({ value: story('Hallo'), lang: 'fa', dir: 'rtl' });
		expect(textbox.getAttribute('lang')).toBe('fa');
		expect(textbox.getAttribute('dir')).toBe('rtl');
		expect(textbox.getAttribute('aria-multiline')).toBe('true');
		const toolbar = screen.getByRole('toolbar', { name: 'Textformat' });
		expect(toolbar.getAttribute('aria-controls')).toBe(textbox.id);
		for (const name of ['Fett', 'Kursiv', 'Aufzählung', 'Nummerierte Liste', 'Link einfügen']) {
			expect(screen.getByRole('button', { name, pressed: false })).toBeTruthy();
		}
		expect(
			screen.getByRole('button', { name: 'Link entfernen' }).getAttribute('aria-disabled')
		).toBe('true');
		const count = document.getElementById(textbox.getAttribute('aria-describedby')!.split(' ')[0]);
		expect(count?.textContent).toBe('5 von 5000 Zeichen');
	});

	it('formats through the toolbar and emits schema-valid JSON to the form and onchange', async () => {
		const { editor, hidden, onchange } = await renderEditor({ value: story('Faden') });
		editor.commands.selectAll();
		await fireEvent.click(screen.getByRole('button', { name: 'Fett' }));
		expect(screen.getByRole('button', { name: 'Fett' }).getAttribute('aria-pressed')).toBe('true');
		await fireEvent.click(screen.getByRole('button', { name: 'Nummerierte Liste' }));
		const expected = {
			type: 'doc',
			content: [
				{
					type: 'orderedList',
					attrs: { start: 1 },
					content: [
						{
							type: 'listItem',
							content: [
								{
									type: 'paragraph',
									content: [{ type: 'text', text: 'Faden', marks: [{ type: 'bold' }] }]
								}
							]
						}
					]
				},
				// tiptap's trailing node keeps a paragraph after a final list to type into.
				{ type: 'paragraph' }
			]
		};
		expect(hidden()).toEqual(expected);
		expect(onchange).toHaveBeenLastCalledWith(expected);
		expect(validateStory(hidden())).toEqual({ ok: true, doc: expected });
	});

	it('answers the keyboard shortcuts for bold, italic and link', async () => {
		const { textbox, editor } = await renderEditor({ value: story('Stich') });
		editor.commands.selectAll();
		await fireEvent.keyDown(textbox, { key: 'b', ctrlKey: true });
		await fireEvent.keyDown(textbox, { key: 'i', ctrlKey: true });
		expect(screen.getByRole('button', { name: 'Fett' }).getAttribute('aria-pressed')).toBe('true');
		expect(screen.getByRole('button', { name: 'Kursiv' }).getAttribute('aria-pressed')).toBe(
			'true'
		);
		await fireEvent.keyDown(textbox, { key: 'k', ctrlKey: true });
		expect(screen.getByRole('textbox', { name: 'Adresse des Links' })).toBeTruthy();
	});

	it('cleans pasted HTML down to the story schema, dropping unsafe links', async () => {
		const { editor, hidden } = await renderEditor();
		editor.view.pasteHTML(
			'<h1>Titel</h1><p style="color:red" onclick="alert(1)">Text <img src=x onerror=alert(1)>' +
				'<a href="javascript:alert(1)">böse</a> <a href="JaVaScRiPt:alert(1)">auch</a> ' +
				'<a href="data:text/html,x">daten</a> <a href="https://example.org/" target="_self" class="x">gut</a>' +
				'<u>unterstrichen</u><code>code</code></p><blockquote>Zitat</blockquote><script>alert(1)</script>',
			pasteEvent()
		);
		await tick();
		const paragraph = (...content: unknown[]) => ({ type: 'paragraph', content });
		const text = (value: string) => ({ type: 'text', text: value });
		const expected = {
			type: 'doc',
			content: [
				paragraph(text('Titel')),
				paragraph(
					text('Text böse auch daten '),
					{
						type: 'text',
						text: 'gut',
						marks: [{ type: 'link', attrs: { href: 'https://example.org/' } }]
					},
					text('unterstrichencode')
				),
				paragraph(text('Zitat'))
			]
		};
		expect(hidden()).toEqual(expected);
		expect(validateStory(hidden())).toEqual({ ok: true, doc: expected });
	});

	it('repairs links and list numbers that slip past parsing, whatever the input path', async () => {
		const { editor, hidden } = await renderEditor();
		editor.commands.insertContent({
			type: 'text',
			text: 'befehl',
			marks: [{ type: 'link', attrs: { href: 'javascript:alert(1)' } }]
		});
		editor.view.pasteHTML(
			'<p><a href="www.example.org">relativ</a></p><ol start="-3" type="a"><li><p>x</p></li></ol>',
			pasteEvent()
		);
		await tick();
		const json = JSON.stringify(hidden());
		expect(json).not.toContain('"link"');
		expect(json).toContain('"attrs":{"start":1}');
		expect(validateStory(hidden()).ok).toBe(true);
		expect(editor.getHTML()).not.toContain('<a');
	});

	it('refuses a paste that would nest lists deeper than the server accepts', async () => {
		const { editor, hidden } = await renderEditor({ value: story('vorher') });
		const nested = (depth: number) =>
			Array.from({ length: depth }).reduce<string>(
				(inner) => `<ul><li><p>x</p>${inner}</li></ul>`,
				''
			);
		editor.commands.selectAll();
		editor.view.pasteHTML(nested(STORY_MAX_LIST_DEPTH + 1), pasteEvent());
		await tick();
		expect(editor.getText()).toBe('vorher');
		expect(hidden()).toEqual(story('vorher'));

		editor.view.pasteHTML(nested(STORY_MAX_LIST_DEPTH), pasteEvent());
		await tick();
		expect(JSON.stringify(hidden()).match(/bulletList/g)).toHaveLength(STORY_MAX_LIST_DEPTH);
		expect(validateStory(hidden()).ok).toBe(true);
	});

	it('adds a link through the link field and rejects disallowed addresses', async () => {
		const { hidden } = await renderEditor();
		await fireEvent.click(screen.getByRole('button', { name: 'Link einfügen' }));
		const field = screen.getByRole('textbox', { name: 'Adresse des Links' }) as HTMLInputElement;
		expect(document.activeElement).toBe(field);

		await fireEvent.input(field, { target: { value: 'javascript:alert(1)' } });
		await fireEvent.keyDown(field, { key: 'Enter' });
		expect(screen.getByRole('alert').textContent).toBe(labels.linkInvalid);
		expect(field.getAttribute('aria-invalid')).toBe('true');

		await fireEvent.input(field, { target: { value: 'werkstatt.example' } });
		await fireEvent.keyDown(field, { key: 'Enter' });
		expect(screen.queryByRole('textbox', { name: 'Adresse des Links' })).toBeNull();
		expect(hidden().content[0].content[0]).toEqual({
			type: 'text',
			text: 'https://werkstatt.example',
			marks: [{ type: 'link', attrs: { href: 'https://werkstatt.example' } }]
		});
	});

	it('reports a story over the limit without blocking the writer', async () => {
		const { textbox, editor } = await renderEditor({ value: story('a'.repeat(5000)) });
		expect(textbox.getAttribute('aria-invalid')).toBe('false');
		editor.commands.insertContentAt(editor.state.doc.content.size - 1, 'b');
		await waitFor(() => expect(textbox.getAttribute('aria-invalid')).toBe('true'));
		expect(screen.getByRole('status').textContent).toBe(labels.tooLong);
		expect(editor.getText()).toHaveLength(5001);
	});

	it('replaces its content when the value is set from outside', async () => {
		const { editor, rerender } = await renderEditor({ value: story('alt') });
		await rerender({ value: story('neu') });
		await waitFor(() => expect(editor.getText()).toBe('neu'));
	});

	it('destroys the tiptap editor when unmounted', async () => {
		const { editor, unmount } = await renderEditor();
		unmount();
		expect(editor.isDestroyed).toBe(true);
	});
});
