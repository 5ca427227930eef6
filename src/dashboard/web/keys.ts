/*
 * Keyboard shortcuts outside text fields: "/" focuses the view's text filter, "g" then "o",
 * "a" or "t" goes to the overview, agents or activity (timeline), "?" shows the list; the
 * rest goes to the current view (the graph's + - f 0).
 */
const GO: Readonly<Record<string, string>> = { o: "#/", a: "#/agents", t: "#/activity" };

export function installKeys(viewKey: (e: KeyboardEvent) => boolean, navigate: (hash: string) => void): void {
  let pendingG = 0;
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    const t = e.target as HTMLElement | null;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    if (document.querySelector("dialog[open]")) return;
    if (pendingG && Date.now() - pendingG < 1500 && GO[e.key]) {
      pendingG = 0;
      e.preventDefault();
      navigate(GO[e.key]!);
      return;
    }
    pendingG = 0;
    if (e.key === "g") {
      pendingG = Date.now();
      return;
    }
    if (e.key === "/") {
      const filter = document.querySelector<HTMLInputElement>("[data-filter-text]");
      if (filter) {
        e.preventDefault();
        filter.focus();
      }
      return;
    }
    if (e.key === "?") {
      const help = document.getElementById("help") as HTMLDialogElement | null;
      if (help && !help.open) help.showModal();
      return;
    }
    if (viewKey(e)) e.preventDefault();
  });
}
