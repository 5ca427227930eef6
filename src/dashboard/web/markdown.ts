import DOMPurify from "dompurify";
import { Marked } from "marked";
import { el } from "./dom.ts";
import { inlineImageUrl, safeLinkUrl } from "./url.ts";

/*
 * Artifacts and the synthesis report are Markdown written by agents: hostile. marked turns them
 * into HTML, DOMPurify keeps only inert formatting, and the result is a fragment built in an inert
 * document (nothing loads or runs while it is cleaned). On top of DOMPurify's defaults: no style,
 * forms, frames, objects, media, SVG or MathML; links only http(s), mailto or relative, opened in
 * a new tab without a referrer; images only as data: URIs (any other source would leave the
 * origin, so it becomes a link the reader may choose to follow); ids prefixed (no clobbering of
 * the app's #confirm, #error, ...).
 *
 * Raw HTML inside the Markdown is shown as text, not parsed: the sanitiser's parsing document
 * inherits the page's CSP, so an `onerror` or `style` attribute would be reported as a CSP
 * violation (a console error) even though DOMPurify drops it. Markdown itself covers what an
 * artifact needs.
 */
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const marked = new Marked({ gfm: true, renderer: { html: ({ text }) => escapeHtml(text) } });
const purify = DOMPurify(window);

const FORBID_TAGS = [
  "style",
  "form",
  "input",
  "button",
  "textarea",
  "select",
  "option",
  "iframe",
  "frame",
  "frameset",
  "object",
  "embed",
  "svg",
  "math",
  "audio",
  "video",
  "source",
  "track",
  "picture",
  "dialog",
  "link",
  "meta",
  "base",
  "template",
];
const FORBID_ATTR = ["style", "srcset", "action", "formaction", "background", "poster", "ping", "target"];

purify.addHook("afterSanitizeAttributes", (node) => {
  if (node.nodeName === "A") {
    const href = node.getAttribute("href");
    if (href !== null && !safeLinkUrl(href)) node.removeAttribute("href");
    node.setAttribute("rel", "noopener noreferrer");
    node.setAttribute("target", "_blank");
  } else if (node.nodeName === "IMG") {
    const src = node.getAttribute("src") ?? "";
    if (!inlineImageUrl(src)) {
      node.removeAttribute("src");
      node.setAttribute("data-blocked-src", src);
    }
  }
});

const CONFIG = {
  USE_PROFILES: { html: true },
  FORBID_TAGS,
  FORBID_ATTR,
  ALLOW_DATA_ATTR: false,
  SANITIZE_NAMED_PROPS: true,
  RETURN_DOM_FRAGMENT: true,
} as const;

/** `markdown` as a sanitised fragment inside a `.markdown` element. */
export function renderMarkdown(markdown: string): HTMLElement {
  const html = marked.parse(markdown, { async: false }) as string;
  const fragment = purify.sanitize(html, CONFIG) as unknown as DocumentFragment;
  // An image whose source was blocked: its alt text and a link to where it lives instead.
  for (const img of fragment.querySelectorAll("img[data-blocked-src]")) {
    const src = img.getAttribute("data-blocked-src") ?? "";
    const alt = img.getAttribute("alt") || "image";
    const text = `[${alt}]`;
    const replacement =
      safeLinkUrl(src) && src.trim() !== ""
        ? el("a", { href: src, rel: "noopener noreferrer", target: "_blank", class: "blocked-image" }, text)
        : el("span", { class: "blocked-image" }, text);
    img.replaceWith(replacement);
  }
  const box = el("div", { class: "markdown" });
  box.appendChild(fragment);
  return box;
}
