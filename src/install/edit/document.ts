import { type ParseError, parse as parseJsonc, printParseErrorCode } from "jsonc-parser";
import { parse as parseToml } from "smol-toml";
import { parseDocument } from "yaml";
import type { ConfigFormat } from "../types.ts";
import { detectEol, withoutBom } from "./_text.ts";

/**
 * The last wall before a config file is written: the text must parse as its format with a map at
 * the root, as every client expects. Removing the only entry can leave nothing (or only
 * comments): for JSON and YAML that is not a map (a 0-byte JSON file does not even parse), so
 * `{}` is written instead; an empty TOML file is already an empty table. Returns the text to
 * write, or throws naming what is wrong, so nothing unreadable ever reaches the disk.
 */
export function finishDocument(text: string, format: ConfigFormat): string {
  if (format === "toml") {
    parseToml(withoutBom(text));
    return text;
  }
  let out = text;
  if (rootOf(out, format) === undefined) {
    const eol = detectEol(text);
    out = out.trim() === "" ? `{}${eol}` : `${out.endsWith("\n") ? out : out + eol}{}${eol}`;
  }
  const root = rootOf(out, format);
  if (!root || typeof root !== "object" || Array.isArray(root)) {
    throw new Error(`the edited ${format.toUpperCase()} would not have a map at its root`);
  }
  return out;
}

/**
 * True when the text holds no data, only whitespace and comments (or nothing): a file a client
 * reads as if it were absent, so an install starts it as it would a new file. False when it does
 * not parse (the edit then refuses it with the line and column).
 */
export function holdsNoData(text: string, format: ConfigFormat): boolean {
  if (text.trim() === "") return true;
  if (format === "toml") {
    return text
      .replace(/^\uFEFF/, "")
      .split(/\r?\n/)
      .every((l) => l.trim() === "" || l.trim().startsWith("#"));
  }
  try {
    return rootOf(text, format) === undefined;
  } catch {
    return false;
  }
}

/** The parsed root, undefined for an empty document; throws when the text does not parse. */
function rootOf(text: string, format: "json" | "jsonc" | "yaml"): unknown {
  const body = withoutBom(text);
  if (format === "yaml") {
    const doc = parseDocument(body, { uniqueKeys: true });
    const first = doc.errors[0];
    if (first) throw new Error(`the edited YAML does not parse: ${first.message}`);
    return doc.contents === null ? undefined : doc.toJS();
  }
  const errors: ParseError[] = [];
  const root = parseJsonc(body, errors, { allowTrailingComma: true, allowEmptyContent: true });
  const first = errors[0];
  if (first) throw new Error(`the edited JSON does not parse: ${printParseErrorCode(first.error)}`);
  return root;
}
