/** Routes each edit to the module for its file format; see index.ts for the contract. */
import type { EditOutcome, EntryEdit } from "../types.ts";
import { jsonRead, jsonRemove, jsonUpsert } from "./json.ts";
import { tomlRead, tomlRemove, tomlUpsert } from "./toml.ts";
import { yamlRead, yamlRemove, yamlUpsert } from "./yaml.ts";

export function upsertEntry(text: string, edit: EntryEdit, value: unknown): EditOutcome {
  switch (edit.format) {
    case "json":
    case "jsonc":
      return jsonUpsert(text, edit, value);
    case "yaml":
      return yamlUpsert(text, edit, value);
    case "toml":
      return tomlUpsert(text, edit, value);
  }
}

export function removeEntry(text: string, edit: EntryEdit): EditOutcome {
  switch (edit.format) {
    case "json":
    case "jsonc":
      return jsonRemove(text, edit);
    case "yaml":
      return yamlRemove(text, edit);
    case "toml":
      return tomlRemove(text, edit);
  }
}

export function readEntry(text: string, edit: EntryEdit): unknown {
  switch (edit.format) {
    case "json":
    case "jsonc":
      return jsonRead(text, edit);
    case "yaml":
      return yamlRead(text, edit);
    case "toml":
      return tomlRead(text, edit);
  }
}
