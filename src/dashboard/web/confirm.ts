/*
 * The confirmation every action asks for: the static `dialog#confirm` of index.html (its
 * `button[data-confirm]` / `button[data-cancel]` are hooks of the browser tests). Resolves with
 * the optional note, or null when the person backed out (button, Escape).
 */
export function askConfirm(title: string, text: string): Promise<{ note: string } | null> {
  const dialog = document.getElementById("confirm") as HTMLDialogElement | null;
  if (!dialog) return Promise.resolve(null);
  const heading = dialog.querySelector("#confirm-title");
  const body = dialog.querySelector("#confirm-text");
  const note = dialog.querySelector<HTMLTextAreaElement>("#confirm-note");
  const ok = dialog.querySelector<HTMLButtonElement>("button[data-confirm]");
  const cancel = dialog.querySelector<HTMLButtonElement>("button[data-cancel]");
  if (heading) heading.textContent = title;
  if (body) body.textContent = text;
  if (note) note.value = "";
  return new Promise((resolve) => {
    const done = (result: { note: string } | null): void => {
      ok?.removeEventListener("click", onOk);
      cancel?.removeEventListener("click", onCancel);
      dialog.removeEventListener("close", onClose);
      if (dialog.open) dialog.close();
      resolve(result);
    };
    const onOk = (e: Event): void => {
      e.preventDefault();
      done({ note: note?.value.trim() ?? "" });
    };
    const onCancel = (e: Event): void => {
      e.preventDefault();
      done(null);
    };
    const onClose = (): void => done(null);
    ok?.addEventListener("click", onOk);
    cancel?.addEventListener("click", onCancel);
    dialog.addEventListener("close", onClose);
    dialog.showModal();
    cancel?.focus();
  });
}
