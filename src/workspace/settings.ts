import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { DATA_DIR } from "../core/artifact.ts";
import { OrchestratorError } from "../core/errors.ts";
import { MAX_ARTIFACT_BYTES_LIMIT, type Settings } from "../core/settings.ts";
import { parseDuration } from "../platform/env.ts";

/** The workspace's settings file, relative to the workspace. */
export const SETTINGS_FILE = `${DATA_DIR}/settings.yaml`;

/**
 * What the file may hold. Durations are written as people write them (30m, 2h); sizes in bytes.
 * Unknown keys are refused so a typo does not silently keep the default.
 */
const SettingsFileSchema = z
  .object({
    lease: z.string().optional(),
    stale_after: z.string().optional(),
    max_artifact_bytes: z.number().int().positive().max(MAX_ARTIFACT_BYTES_LIMIT).optional(),
  })
  .strict();

/** The part of the settings a workspace file sets. */
export type WorkspaceSettings = Partial<Settings>;

/** Reads `.task_orchestrator/settings.yaml`, again only when its size or mtime changes (hot reload). */
export interface SettingsLoader {
  /** The file's settings ({} when there is no file); throws SETTINGS_INVALID for a broken file. */
  load(workspace: string): WorkspaceSettings;
}

export function createSettingsLoader(): SettingsLoader {
  const cache = new Map<string, { signature: string; value: WorkspaceSettings | OrchestratorError }>();
  return {
    load(workspace: string): WorkspaceSettings {
      const file = join(workspace, SETTINGS_FILE);
      let signature = "none";
      try {
        const st = statSync(file);
        signature = `${st.size}:${st.mtimeMs}`;
      } catch {
        // no file: the flags, environment and defaults apply
      }
      let hit = cache.get(file);
      if (!hit || hit.signature !== signature) {
        hit = { signature, value: signature === "none" ? {} : readSettingsFile(file) };
        cache.set(file, hit);
      }
      if (hit.value instanceof OrchestratorError) throw hit.value;
      return hit.value;
    },
  };
}

function readSettingsFile(file: string): WorkspaceSettings | OrchestratorError {
  const invalid = (where: string, what: string): OrchestratorError =>
    new OrchestratorError("SETTINGS_INVALID", `${file}${where}: ${what}`, { data: { file } });
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    return invalid("", `cannot be read (${(e as Error).message})`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    return invalid(
      pos ? `:${pos.line}:${pos.col}` : "",
      (first.message.split("\n")[0] ?? "does not parse").replace(/ at line \d+, column \d+:?$/, ""),
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  const parsed = SettingsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? "");
    const keys = issue?.code === "unrecognized_keys" ? issue.keys.join(", ") : "";
    return invalid(
      "",
      keys
        ? `unknown setting(s) ${keys}; allowed: lease, stale_after, max_artifact_bytes`
        : `${key || "the file"} ${key === "max_artifact_bytes" ? `must be a whole number of bytes from 1 to ${MAX_ARTIFACT_BYTES_LIMIT}` : key ? "must be a duration such as 30m, 90s or 2h" : "must be a mapping of settings"}`,
    );
  }
  const out: { -readonly [K in keyof Settings]?: number } = {};
  try {
    if (parsed.data.lease !== undefined) out.leaseMs = parseDuration(parsed.data.lease, "lease");
    if (parsed.data.stale_after !== undefined)
      out.staleMs = parseDuration(parsed.data.stale_after, "stale_after");
  } catch (e) {
    return invalid("", (e as Error).message);
  }
  if (parsed.data.max_artifact_bytes !== undefined) out.maxArtifactBytes = parsed.data.max_artifact_bytes;
  return out;
}

/**
 * The settings in effect: defaults, then the workspace file, then what the flags and environment
 * set explicitly (`fixed`), which always win.
 */
export function effectiveSettings(
  base: Settings,
  file: WorkspaceSettings,
  fixed: ReadonlySet<keyof Settings>,
): Settings {
  const out: { -readonly [K in keyof Settings]: number } = { ...base };
  for (const key of Object.keys(file) as (keyof Settings)[]) {
    const v = file[key];
    if (v !== undefined && !fixed.has(key)) out[key] = v;
  }
  return out;
}
