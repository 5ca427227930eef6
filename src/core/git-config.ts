/*
 * Just enough of git's config syntax to read `[remote "<name>"] url = ...`, from a file a cloned
 * repository controls: lines are bounded, garbage lines are skipped, and `include`/`includeIf`
 * are never followed (an id must not depend on files outside the repository).
 */

export interface GitRemote {
  readonly name: string;
  readonly url: string;
}

/** Longest line looked at; git itself has no limit, a hostile file has no reason to be longer. */
const MAX_LINE = 4096;
const SECTION = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]\s*(?:[#;].*)?$/;
const KEY_VALUE = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$/;

/** Each remote's first `url`, in file order. */
export function parseGitRemotes(text: string): GitRemote[] {
  const urls = new Map<string, string>();
  let remote: string | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    if (rawLine.length > MAX_LINE) continue;
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    if (line.startsWith("[")) {
      const s = SECTION.exec(line);
      remote =
        s && s[1]?.toLowerCase() === "remote" && s[2] !== undefined
          ? s[2].replace(/\\(.)/g, "$1")
          : undefined;
      continue;
    }
    if (remote === undefined) continue;
    const kv = KEY_VALUE.exec(line);
    if (kv?.[1]?.toLowerCase() !== "url" || kv[2] === undefined) continue;
    if (!urls.has(remote)) urls.set(remote, configValue(kv[2]));
  }
  return [...urls].map(([name, url]) => ({ name, url }));
}

/** `origin` first, then the others in file order: the order the id rule tries them. */
export function remotesInOrder(remotes: readonly GitRemote[]): GitRemote[] {
  const origin = remotes.filter((r) => r.name === "origin");
  return [...origin, ...remotes.filter((r) => r.name !== "origin")];
}

/** A value without its comment and quotes (git's rules, simplified: no line continuations). */
function configValue(raw: string): string {
  let out = "";
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === "\\" && i + 1 < raw.length) {
      out += raw[++i];
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && (c === "#" || c === ";")) {
      break;
    } else {
      out += c;
    }
  }
  return out.trim();
}
