/*
 * Which URLs a link may carry (pure, no DOM: unit-tested under Bun): relative ones (no scheme
 * before the first / ? #) and http(s)/mailto. Never javascript:, data:, vbscript: or any other
 * scheme, whatever its case; leading and trailing whitespace is ignored as browsers ignore it.
 */
const SAFE = /^(?:[^:/?#]*(?:[/?#]|$)|https?:|mailto:)/i;

export function safeLinkUrl(url: string): boolean {
  // Browsers drop ASCII tab and newline anywhere in a URL: "java\tscript:" is javascript:.
  const cleaned = url.replace(/[\t\n\r]/g, "").trim();
  return SAFE.test(cleaned);
}

/** An image source that loads nothing from anywhere: an inline data: image. */
export function inlineImageUrl(url: string): boolean {
  return /^data:image\//i.test(url.trim());
}
