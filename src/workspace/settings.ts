import { lstatSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { DATA_DIR } from "../core/artifact.ts";
import { OrchestratorError } from "../core/errors.ts";
import { parseProjectSetting } from "../core/project-id.ts";
import { MAX_ARTIFACT_BYTES_LIMIT, type Settings } from "../core/settings.ts";
import { parseDuration } from "../platform/env.ts";
import { isPostgresUrl, type PgOptions, parsePostgresUrl } from "../store/postgres/url.ts";
import type { DataDirLook } from "./data-dir-look.ts";

/** The workspace's settings file, relative to the workspace. */
export const SETTINGS_FILE = `${DATA_DIR}/settings.yaml`;
/** Its name inside the data folder. */
const SETTINGS_NAME = "settings.yaml";

/**
 * What the file may hold. Durations are written as people write them (30m, 2h); sizes in bytes.
 * Unknown keys are refused so a typo does not silently keep the default.
 */
const SettingsFileSchema = z
  .object({
    lease: z.string().optional(),
    stale_after: z.string().optional(),
    max_artifact_bytes: z.number().int().positive().max(MAX_ARTIFACT_BYTES_LIMIT).optional(),
    // checked on its own (parseProjectSetting), so a bad tunable does not cost the project its id
    project: z.unknown().optional(),
    // checked on its own (readDbSetting) and used only with the user's opt-in (database-choice.ts)
    db: z.unknown().optional(),
  })
  .strict();

/** The part of the settings a workspace file sets. */
export type WorkspaceSettings = Partial<Settings>;

/** Reads `.task_orchestrator/settings.yaml`, again only when its size or mtime changes (hot reload). */
export interface SettingsLoader {
  /** The file's settings ({} when there is no file); throws SETTINGS_INVALID for a broken file. */
  load(workspace: string): WorkspaceSettings;
  /**
   * The file's `project:` (undefined when unset or there is no file); throws SETTINGS_INVALID
   * when the file does not parse or the value is not a valid id, since guessing another id would
   * write the project's data under someone else's key.
   */
  project(workspace: string): string | undefined;
  /**
   * The file's `db:` (a `postgres://` URL without a password; undefined when unset or there is no
   * file); throws SETTINGS_INVALID when the file does not parse or the value is not such a URL.
   * Whether it is used is decided elsewhere (`workspace/database-choice.ts`): a repository's file
   * chooses the store only with the user's opt-in.
   */
  db(workspace: string): string | undefined;
  /**
   * The file as it is now, read (stat'd, and parsed when changed) once: a loader that answers
   * for `workspace` from that one look, for the several readers of one call (project id, store
   * choice, tunables), which would otherwise stat the file once each. Other workspaces go to this loader.
   * `dataDir`: the call's look at the data folder, which can tell that there is still no file
   * without a stat (data-dir-look.ts).
   */
  snapshot(workspace: string, dataDir?: DataDirLook): SettingsLoader;
}

interface Loaded {
  readonly signature: string;
  readonly value: WorkspaceSettings | OrchestratorError;
  readonly project: string | undefined | OrchestratorError;
  readonly db: string | undefined | OrchestratorError;
}

export function createSettingsLoader(): SettingsLoader {
  const cache = new Map<string, Loaded>();
  const get = (workspace: string, dataDir?: DataDirLook): Loaded => {
    const file = join(workspace, SETTINGS_FILE);
    const signature = dataDir ? signatureSeen(file, dataDir) : signatureOf(file);
    let hit = cache.get(file);
    if (!hit || hit.signature !== signature) {
      hit = {
        signature,
        ...(signature === "none" ? { value: {}, project: undefined, db: undefined } : readSettingsFile(file)),
      };
      cache.set(file, hit);
    }
    return hit;
  };
  const loaderOf = (lookup: (workspace: string, dataDir?: DataDirLook) => Loaded): SettingsLoader => {
    const loader: SettingsLoader = {
      load(workspace: string): WorkspaceSettings {
        const hit = lookup(workspace);
        if (hit.value instanceof OrchestratorError) throw hit.value;
        return hit.value;
      },
      project(workspace: string): string | undefined {
        const hit = lookup(workspace);
        if (hit.project instanceof OrchestratorError) throw hit.project;
        return hit.project;
      },
      db(workspace: string): string | undefined {
        const hit = lookup(workspace);
        if (hit.db instanceof OrchestratorError) throw hit.db;
        return hit.db;
      },
      snapshot(workspace: string, dataDir?: DataDirLook): SettingsLoader {
        const hit = lookup(workspace, dataDir);
        return loaderOf((w) => (w === workspace ? hit : lookup(w)));
      },
    };
    return loader;
  };
  return loaderOf(get);
}

/** The file's size and mtime, or "none" when there is none (the flags, environment and defaults apply). */
function signatureOf(file: string): string {
  try {
    const st = statSync(file);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return "none";
  }
}

/**
 * signatureOf through the data folder's look: no stat while the folder proves the file still
 * absent. An `lstat` first, so that only a file truly not there is recorded as absent (a
 * dangling symlink's target may appear without the folder changing); a link is followed as before.
 */
function signatureSeen(file: string, dataDir: DataDirLook): string {
  if (dataDir.kind === "absent" || dataDir.known(SETTINGS_NAME) === "absent") return "none";
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(file, { throwIfNoEntry: false });
  } catch {
    return signatureOf(file);
  }
  if (st === undefined) {
    dataDir.record(SETTINGS_NAME, "absent");
    return "none";
  }
  return st.isSymbolicLink() ? signatureOf(file) : `${st.size}:${st.mtimeMs}`;
}

function readSettingsFile(file: string): Omit<Loaded, "signature"> {
  const both = (e: OrchestratorError) => ({ value: e, project: e, db: e });
  const invalid = (where: string, what: string): OrchestratorError =>
    new OrchestratorError("SETTINGS_INVALID", `${file}${where}: ${what}`, { data: { file } });
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    return both(invalid("", `cannot be read (${(e as Error).message})`));
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    // A broken file fails the calls that need its tunables; the project id is still read from
    // its `project:` line when there is one, so reads keep their key.
    const broken = invalid(
      pos ? `:${pos.line}:${pos.col}` : "",
      (first.message.split("\n")[0] ?? "does not parse").replace(/ at line \d+, column \d+:?$/, ""),
    );
    const project = scanProjectLine(text, invalid);
    // No guess at `db:` in a broken file: a wrong guess would put the plans in another store.
    return { value: broken, project: project === null ? broken : project, db: broken };
  }
  const raw: unknown = doc.toJS() ?? {};
  const project = readProject(raw, invalid);
  return { value: readTunables(raw, invalid), project, db: readDbSetting(raw, invalid) };
}

type Invalid = (where: string, what: string) => OrchestratorError;

/**
 * The `project:` of a file YAML cannot parse, from its own top-level line: the id, an error when
 * that line is malformed, `undefined` when there is no such line (no setting), or `null` when
 * the line cannot be told apart from the damage (then the file's error stands).
 */
function scanProjectLine(text: string, invalid: Invalid): string | undefined | OrchestratorError | null {
  const lines = text.split(/\r?\n/).filter((l) => /^project[ \t]*:/.test(l));
  if (lines.length === 0) return /^\s+project[ \t]*:/m.test(text) ? null : undefined;
  if (lines.length > 1) return null;
  const m = /^project[ \t]*:[ \t]*(?:"([^"]*)"|'([^']*)'|([^\s#"'][^\s#]*))[ \t]*(?:#.*)?$/.exec(
    lines[0] ?? "",
  );
  if (!m) return null;
  return readProject({ project: m[1] ?? m[2] ?? m[3] }, invalid);
}

function readProject(raw: unknown, invalid: Invalid): string | undefined | OrchestratorError {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    return invalid("", "must be a mapping of settings");
  const value = (raw as Record<string, unknown>).project;
  if (value === undefined || value === null) return undefined;
  const r = parseProjectSetting(value);
  return "id" in r
    ? r.id
    : invalid(
        "",
        `project ${r.error} (for example: project: github.com/acme/shop, or remove the line to use the git remote)`,
      );
}

/**
 * `db:`: only a `postgres://` / `postgresql://` URL, and never one holding a password. A SQLite
 * file is refused: a repository's file naming a path would choose where on this disk the
 * orchestrator creates and writes a database (a relative one is no better than the default
 * `orchestrator.db`, an absolute one is another machine's layout), so a file is chosen with
 * `--db` or ORCHESTRATOR_DB, by the user.
 */
function readDbSetting(raw: unknown, invalid: Invalid): string | undefined | OrchestratorError {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    return invalid("", "must be a mapping of settings");
  const value = (raw as Record<string, unknown>).db;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || !isPostgresUrl(value.trim()))
    return invalid(
      "",
      "db must be a postgres:// URL (postgres://user@host:5432/database); a SQLite file is chosen with --db or ORCHESTRATOR_DB, never by a settings file",
    );
  const url = value.trim();
  let parsed: PgOptions;
  try {
    parsed = parsePostgresUrl(url);
  } catch (e) {
    return invalid("", `db ${(e as Error).message.replace(/^--db /, "")}`);
  }
  if (parsed.password !== undefined || /^[a-z]+:\/\/[^/?#@]*:[^/?#]*@/i.test(url))
    return invalid(
      "",
      `db ${parsed.redacted} holds a password; a file in a repository must not hold credentials. Remove it from the URL and give it to the server as PGPASSWORD or in ~/.pgpass, or put the whole URL in ORCHESTRATOR_DB in your client's server entry`,
    );
  return url;
}

function readTunables(raw: unknown, invalid: Invalid): WorkspaceSettings | OrchestratorError {
  const parsed = SettingsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? "");
    const keys = issue?.code === "unrecognized_keys" ? issue.keys.join(", ") : "";
    return invalid(
      "",
      keys
        ? `unknown setting(s) ${keys}; allowed: lease, stale_after, max_artifact_bytes, project, db`
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
