/*
 * The one way the app builds DOM: text only through text nodes (textContent), attributes only
 * from an allow-list through setAttribute, and URLs only relative or http(s)/mailto. Every string
 * shown came from the store, which agents write: nothing here can turn one into markup.
 */
import { safeLinkUrl } from "./url.ts";

export type Child = Node | string | number | null | undefined | false | readonly Child[];
export type Attrs = Readonly<Record<string, string | number | boolean | null | undefined>>;

const ALLOWED = new Set([
  "id",
  "class",
  "href",
  "title",
  "role",
  "tabindex",
  "type",
  "name",
  "value",
  "placeholder",
  "for",
  "download",
  "rel",
  "target",
  "hidden",
  "colspan",
  "datetime",
  "disabled",
  "rows",
  "autocomplete",
  "spellcheck",
  "open",
  "lang",
  // SVG
  "viewBox",
  "x",
  "y",
  "width",
  "height",
  "rx",
  "ry",
  "d",
  "transform",
  "marker-end",
  "refX",
  "refY",
  "markerWidth",
  "markerHeight",
  "markerUnits",
  "orient",
  "points",
  "text-anchor",
  "preserveAspectRatio",
  "focusable",
]);

function allowed(name: string): boolean {
  return ALLOWED.has(name) || name.startsWith("data-") || name.startsWith("aria-");
}

function setAttrs(node: Element, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (!allowed(name)) throw new Error(`attribute ${name} is not allowed`);
    const text = value === true ? "" : String(value);
    if (name === "href" && !safeLinkUrl(text)) continue;
    node.setAttribute(name, text);
  }
}

function append(node: Node, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(node, c);
    else if (typeof c === "string" || typeof c === "number")
      node.appendChild(document.createTextNode(String(c)));
    else node.appendChild(c as Node);
  }
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

const SVG_NS = "http://www.w3.org/2000/svg";

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag) as SVGElementTagNameMap[K];
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

/** Replaces every child of `node`. */
export function fill(node: Element, ...children: Child[]): void {
  node.replaceChildren();
  append(node, children);
}

/** An in-app link to a hash route. */
export const link = (hash: string, ...children: Child[]): HTMLAnchorElement =>
  el("a", { href: hash }, ...children);

/** A status chip: icon + word, coloured by the status class (colour is never the only cue). */
export function statusChip(status: string, icon: string): HTMLSpanElement {
  return el(
    "span",
    { class: `chip status-${status}` },
    el("span", { "aria-hidden": "true" }, icon),
    ` ${status}`,
  );
}
