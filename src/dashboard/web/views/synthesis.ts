import type { SynthesisView } from "../../contract.ts";
import { getJson } from "../api.ts";
import { el, fill } from "../dom.ts";
import { renderMarkdown } from "../markdown.ts";
import { apiUrl, planHash } from "../route.ts";
import type { Shell, View } from "./view.ts";

/** The plan's synthesis report (sanitised Markdown) and the export downloads (the existing export). */
export function synthesisView(shell: Shell, project: string, planId: string): View<SynthesisView> {
  return {
    name: "synthesis",
    load: () => getJson<SynthesisView>(apiUrl("synthesis", { project, plan: planId })),
    render(d) {
      shell.crumbs(["Overview", "#/"], [planId, planHash(project, planId)], ["Synthesis"]);
      const exportLink = (format: "md" | "json", label: string): HTMLAnchorElement =>
        el(
          "a",
          {
            class: "button",
            href: apiUrl("export", { project, plan: planId, format }),
            download: `${planId}.${format}`,
          },
          label,
        );
      fill(
        shell.root,
        el("h1", {}, "Synthesis report"),
        el(
          "p",
          { class: "toolbar" },
          exportLink("md", "Export Markdown"),
          exportLink("json", "Export JSON"),
          d.allCompleted
            ? null
            : el("span", { class: "chip status-pending" }, "Not every task is completed yet"),
        ),
        renderMarkdown(d.markdown),
      );
    },
  };
}
