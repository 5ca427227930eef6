/**
 * Pure text edits of client config files: each takes the file's text and returns the new text
 * (or "unchanged"), touching only our entry so every other byte stays identical. They throw
 * ConfigParseError (with line and column) on a file that does not parse; a missing file is "".
 *
 * - upsertEntry(text, edit, value): put `value` (already shaped for the client) at
 *   keyPath/name, creating the containers as needed; "unchanged" when it is already there.
 * - removeEntry(text, edit): delete our entry (and nothing else); "unchanged" when absent.
 * - readEntry(text, edit): the current value of our entry, or undefined.
 *
 * Implemented per format in json.ts (json + jsonc), yaml.ts and toml.ts; this module dispatches.
 */
export { readEntry, removeEntry, upsertEntry } from "./dispatch.ts";
