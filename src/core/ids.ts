import { z } from "zod";

/**
 * The one rule for plan, task and artifact ids, whatever their source (a tool argument, a plan's
 * `task_id`, a legacy database, a row read back from a shared database). Ids become folder and
 * file names under `.task_orchestrator/artifacts/`, so the rule makes every valid id one harmless
 * path segment: it starts with a letter or digit (never `.` or `..`), holds only letters, digits,
 * `_`, `.` and `-` (no `/`, `\`, NUL, control or look-alike characters), has no `..` anywhere,
 * and is at most 128 characters. Every shape the Python orchestrator generated (`task_<8 hex>`,
 * `<role>_<6 hex>`, `artifact_<8 hex>`) passes.
 *
 * The pattern goes into the tools' JSON Schemas, so it avoids lookaheads (RE2 and Rust's regex,
 * which some clients validate with, have none): "no `..`" is "every dot is followed by a
 * non-dot or ends the id", and the length is a separate `maxLength`.
 */
export const ID_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9_-]|\.[A-Za-z0-9_-])*\.?$/;
export const ID_MAX_LENGTH = 128;

export const ID_RULE =
  "1-128 characters: letters, digits, '_', '.' or '-', starting with a letter or digit, no '..'";

/** True when `value` is a string that satisfies the id rule. */
export function isValidId(value: unknown): value is string {
  return typeof value === "string" && value.length <= ID_MAX_LENGTH && ID_PATTERN.test(value);
}

/** The id rule as a zod schema, for tool arguments and plan input. */
export const IdSchema = z
  .string()
  .max(ID_MAX_LENGTH, `an id is ${ID_RULE}`)
  .regex(ID_PATTERN, `an id is ${ID_RULE}`);

/** An id shown in a message: quoted and escaped, so NUL, newlines or terminal escapes cannot hide. */
export function showId(value: unknown): string {
  const s = JSON.stringify(typeof value === "string" ? value : String(value)) ?? "";
  return s.length > 90 ? `${s.slice(0, 80)}…" (${String(value).length} chars)` : s;
}
