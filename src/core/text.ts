/**
 * At most `max` characters, runs of white space as one space, with an ellipsis when cut. Counts
 * code points, not UTF-16 units, so a cut never splits a character.
 */
export function truncate(text: string, max: number): string {
  const chars = [...text.replace(/\s+/g, " ").trim()];
  return chars.length <= max ? chars.join("") : `${chars.slice(0, Math.max(1, max - 1)).join("")}…`;
}
