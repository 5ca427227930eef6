import { el } from "./dom.ts";

/*
 * Light or dark: the system's choice (prefers-color-scheme) until the person picks one with the
 * toggle, remembered in localStorage. The palette is CSS custom properties using light-dark(),
 * so the theme is only `color-scheme` on the root element.
 */
type Theme = "light" | "dark";
const KEY = "orchestrator-dashboard-theme";

function stored(): Theme | null {
  try {
    const v = localStorage.getItem(KEY);
    return v === "light" || v === "dark" ? v : null;
  } catch {
    return null;
  }
}

const system = (): Theme => (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
const current = (): Theme => stored() ?? system();

function apply(theme: Theme | null): void {
  if (theme) document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}

export function themeToggle(): HTMLButtonElement {
  apply(stored());
  const button = el("button", { type: "button", class: "theme-toggle", "aria-label": "Toggle dark theme" });
  const label = (): void => {
    const dark = current() === "dark";
    button.textContent = dark ? "☀ Light" : "☾ Dark";
    button.setAttribute("aria-pressed", String(dark));
  };
  button.addEventListener("click", () => {
    const next: Theme = current() === "dark" ? "light" : "dark";
    try {
      localStorage.setItem(KEY, next);
    } catch {
      // private mode: the choice lasts for this page only
    }
    apply(next);
    label();
  });
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", label);
  label();
  return button;
}
