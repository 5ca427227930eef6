import { z } from "zod";

/*
 * The project id: the store key of a workspace, the same on every machine (issue 13). The rule,
 * first match wins: `project:` in .task_orchestrator/settings.yaml, else the workspace's own git
 * remote (origin, else the first usable one) normalised, else `local:<folder name>`.
 * docs/guides/concepts.md explains it to users.
 */

/** Which rule gave the id. */
export type ProjectSource = "settings" | "git-remote" | "folder";

export interface ProjectIdentity {
  readonly id: string;
  readonly source: ProjectSource;
}

/** Longest project id, so a key stays an index-friendly size in both dialects. */
export const PROJECT_ID_MAX = 200;

/**
 * Lowercase letters, digits and `. _ ~ : / @ + -`, starting with a letter or digit. It can never
 * start with `/` or a drive letter's `x:\`, so it never equals the absolute path that keyed a
 * workspace before project ids, and holds no space or control character to spoof a display.
 */
const ID_PATTERN = /^[a-z0-9][a-z0-9._~:/@+-]*$/;

/** Why a `project:` value is refused, or undefined when it is a valid id (after trimming and lowercasing). */
export const ProjectIdSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, "must not be empty")
  .max(PROJECT_ID_MAX, `must be at most ${PROJECT_ID_MAX} characters`)
  .regex(
    ID_PATTERN,
    "may hold only letters, digits and . _ ~ : / @ + - and must start with a letter or digit",
  )
  .refine((s) => !s.split("/").includes(".."), "must not contain a '..' segment");

/** The `project:` setting checked: the id, or the reason it is refused. */
export function parseProjectSetting(value: unknown): { id: string } | { error: string } {
  if (typeof value !== "string") return { error: "must be a text such as github.com/acme/shop or acme-shop" };
  const r = ProjectIdSchema.safeParse(value);
  return r.success ? { id: r.data } : { error: r.error.issues[0]?.message ?? "is not a valid project id" };
}

/** Longest remote URL looked at; longer ones are garbage, not identities. */
const MAX_URL = 2048;
/** Ports never identify a repository: ssh on 2222 and https on 443 reach the same one. */
const URL_FORM = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(\/[^?#]*)?/i;
/** scp-like `[user@]host:path` (no scheme); a one-letter host is a Windows drive, not a host. */
const SCP_FORM = /^(?:[^@/:]+@)?([^@/:]{2,}):(?!\/\/)(.+)$/;
const NETWORK_SCHEMES = new Set(["ssh", "git+ssh", "ssh+git", "git", "http", "https"]);

/**
 * A remote URL as a portable id: `git@github.com:Owner/Repo.git`, `ssh://git@github.com:22/Owner/Repo`
 * and `https://user:token@github.com/Owner/Repo.git/` all give `github.com/owner/repo`. Scheme,
 * credentials, port and `.git` are dropped, host and path lowercased (credentials never reach
 * the id). Undefined for local paths and `file://` (they name a folder on one machine) and for
 * anything that does not make a valid id.
 */
export function normaliseRemoteUrl(raw: string): string | undefined {
  const url = raw.trim();
  if (url.length === 0 || url.length > MAX_URL || hasControlChars(url)) return undefined;
  let host: string;
  let path: string;
  const m = URL_FORM.exec(url);
  if (m) {
    if (!NETWORK_SCHEMES.has((m[1] ?? "").toLowerCase())) return undefined;
    const authority = m[2] ?? "";
    const at = authority.lastIndexOf("@");
    host = stripPort(at >= 0 ? authority.slice(at + 1) : authority);
    path = m[3] ?? "";
  } else {
    const s = SCP_FORM.exec(url);
    if (!s) return undefined;
    host = s[1] ?? "";
    path = s[2] ?? "";
  }
  const segments = path
    .split("/")
    .filter((p) => p !== "" && p !== ".")
    .map((p) => p.toLowerCase());
  const last = segments.length - 1;
  if (last >= 0) segments[last] = (segments[last] ?? "").replace(/\.git$/, "");
  const parts = segments.filter((p) => p !== "");
  if (!host || parts.length === 0) return undefined;
  const id = `${host.toLowerCase()}/${parts.join("/")}`;
  const r = ProjectIdSchema.safeParse(id);
  return r.success ? r.data : undefined;
}

/** The folder-name fallback: `local:<name>`, the prefix marking an id that may collide across projects. */
export function folderProjectId(folderName: string): string {
  const name = folderName
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[-._]+|-+$/g, "")
    .slice(0, PROJECT_ID_MAX - "local:".length);
  return `local:${name || "workspace"}`;
}

/** True for ids from the folder-name fallback, which two unrelated folders of one name share. */
export function isFolderProjectId(id: string): boolean {
  return id.startsWith("local:");
}

function stripPort(hostPort: string): string {
  if (hostPort.startsWith("[")) return ""; // IPv6 literals: not an identity worth keeping
  const colon = hostPort.indexOf(":");
  return colon >= 0 ? hostPort.slice(0, colon) : hostPort;
}

function hasControlChars(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
