import { existsSync, readFileSync } from "node:fs";
import { isAbsolute } from "node:path";
import { parse as parseJsonc } from "jsonc-parser";
import { listBackups } from "../../install/backups.ts";
import { type ClientId, clientSpec, scopePrecedence, scopesOf } from "../../install/clients.ts";
import { type Scope, SERVER_NAME } from "../../install/types.ts";
import { checkClient, type EntryCheck, missingKeysProblem } from "../../install/validate.ts";
import { registeredRemotes, remoteKey } from "../../install/validate-remote.ts";
import { safeReal } from "../../platform/fs.ts";
import { redactUrl } from "../../store/postgres/url.ts";
import type { DoctorContext } from "../context.ts";
import { type Finding, fail, ok, skip, warn } from "../report.ts";

/** Keys other clients use for their servers: finding ours under one of them is a classic mistake. */
const SERVER_KEYS = ["mcpServers", "servers", "context_servers", "mcp", "mcp_servers", "extensions"];

/** One entry to launch in the live check. */
export interface InstalledEntry {
  readonly client: ClientId;
  readonly scope: Scope;
  readonly path: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/** The check id of a client's file: `clients.cursor` for its user file, `clients.claude-code.local`... */
export function findingId(prefix: string, id: ClientId, scope: Scope, nth = 0): string {
  return `${prefix}.${id}${scope === "user" ? "" : `.${scope}`}${nth > 0 ? `.${nth + 1}` : ""}`;
}

/** The title of a client's finding, naming the scope when it is not the user's. */
export function scopedLabel(id: ClientId, scope: Scope): string {
  const label = clientSpec(id).label;
  return scope === "user" ? label : `${label} (${scope})`;
}

/**
 * For each client and each scope it has (user; project and local for the project doctor looks
 * at): config found, parses, the keys the client requires, our entry present under the right
 * key, its command absolute, executable, this binary and current; stale or duplicate entries;
 * the same name in several scopes with different commands. A project or local scope without our
 * entry says nothing: most projects have none.
 */
export async function checkClients(
  ctx: DoctorContext,
): Promise<{ findings: Finding[]; installed: InstalledEntry[] }> {
  const findings: Finding[] = [];
  const installed: InstalledEntry[] = [];
  const backedUp = await backedUpPaths(ctx);
  const self = safeReal(ctx.self.command);
  const mine = registeredRemotes(ctx.install, ctx.clients, ctx.projectDir);
  const trustedUrl = (url: string, tokenEnv: string | undefined) => mine.has(remoteKey(url, tokenEnv));
  // Every client and scope at once: each check may wait up to timeoutMs for a version probe.
  const perClient = await Promise.all(
    ctx.clients.map((id) =>
      Promise.all(
        scopesOf(id)
          .filter((scope) => scope === "user" || ctx.projectDir !== undefined)
          .filter((scope) => !ctx.scopes || ctx.scopes.includes(scope))
          .map(async (scope) => ({
            scope,
            checks: await checkClient(ctx.install, id, scope, ctx.projectDir, {
              timeoutMs: ctx.timeoutMs,
              trusted: (command) => safeReal(command) === self,
              remote: { vars: ctx.env.vars, timeoutMs: ctx.timeoutMs, trustedUrl },
            }),
          })),
      ),
    ),
  );
  // A project's config file comes with the repository: the live check starts a project-scope entry
  // only when its command is this binary or one the user registered in their own (user or local)
  // scope, never a program the repository names. Clients gate these files too (docs: trust gates).
  const trusted = new Set<string>([self]);
  for (const scopes of perClient)
    for (const { scope, checks } of scopes)
      for (const c of checks)
        if (scope !== "project" && c.installed && c.command) trusted.add(safeReal(c.command));
  for (const [i, id] of ctx.clients.entries()) {
    const mine: InstalledEntry[] = [];
    const launch: InstalledEntry[] = [];
    // Claude Code's user and local scopes share a file: a broken one is reported once.
    const broken = new Set<string>();
    for (const { scope, checks } of perClient[i] ?? []) {
      checks.forEach((c, nth) => {
        if (!c.parses && c.found && broken.has(c.path)) return;
        if (!c.parses && c.found) broken.add(c.path);
        const f = fileFinding(ctx, id, c, findingId("clients", id, scope, nth), backedUp);
        if (f) findings.push(f);
        // Whatever the static checks found, a command that exists is launched by the live check:
        // it tells a server that hangs from one that talks garbage from one that works.
        // A bridge is checked by the remote check (with the token's variable, which the live
        // check's client-like environment leaves out).
        if (c.installed && c.command && existsSync(c.command) && c.remote === null) {
          const entry = { client: id, scope, path: c.path, command: c.command, args: c.args, env: c.env };
          mine.push(entry);
          if (scope !== "project" || trusted.has(safeReal(c.command))) launch.push(entry);
          else
            findings.push(
              warn(
                "clients",
                `${findingId("live", id, scope, nth)}.skipped`,
                scopedLabel(id, scope),
                `not started by the live check: the project's ${c.path} runs ${c.command}, which is neither this orchestrator nor one you registered yourself (a project's file comes with the repository)`,
                `If you trust that program, run '${[c.command, ...c.args].join(" ")}' yourself; to use this binary, run 'orchestrator install --client ${id} --scope project --force'.`,
              ),
            );
        }
      });
    }
    const conflict = scopeConflict(id, mine);
    if (conflict) findings.push(conflict);
    installed.push(...launch);
  }
  return { findings, installed };
}

/** The finding for one file of a client, or none for a project/local file without our entry. */
function fileFinding(
  ctx: DoctorContext,
  id: ClientId,
  c: EntryCheck,
  base: string,
  backedUp: ReadonlySet<string>,
): Finding | undefined {
  const spec = clientSpec(id);
  const title = scopedLabel(id, c.scope);
  const user = c.scope === "user";
  if (!c.found) {
    if (!user) return undefined;
    const present = spec.detect(ctx.install).some((p) => existsSync(p));
    return skip(
      "clients",
      base,
      title,
      present ? `installed, no config file yet (${c.path})` : "not found on this machine",
    );
  }
  if (!c.parses) {
    return fail(
      "clients",
      base,
      title,
      `${c.path} ${c.problems[0] ?? "does not parse"}`,
      backedUp.has(c.path)
        ? `Fix the file at that place (the client cannot read it either), or restore the last good copy: 'orchestrator rollback --client ${id}${user ? "" : ` --scope ${c.scope}`}'.`
        : "Fix the file at that place (the client cannot read it either); no backup of it exists yet.",
    );
  }
  if (c.missingKeys.length > 0 && !c.installed) return missingKeysFinding(c, base, title);
  // Top-level keys only: Claude Code's local scope lives deeper in the user file, checked as user.
  const wrongKey =
    c.installed || c.scope === "local"
      ? undefined
      : entryUnderWrongKey(c.path, spec.keyPath[0] ?? "", spec.format);
  if (wrongKey) {
    return fail(
      "clients",
      base,
      title,
      `our entry is under "${wrongKey}" in ${c.path}, but ${spec.label} reads "${spec.keyPath.join(".")}": it will not see the server`,
      `Run 'orchestrator install --client ${id}' to add it under the right key, then delete the "${wrongKey}" block.`,
    );
  }
  if (!c.installed) {
    if (!user) return undefined;
    return c.duplicates.length > 0
      ? warn(
          "clients",
          base,
          title,
          `no "${SERVER_NAME}" entry, but ${c.duplicates.join(", ")} run an orchestrator`,
          `Run 'orchestrator install --client ${id}' and remove the old entries.`,
        )
      : skip("clients", base, title, `not registered (${c.path})`);
  }
  // One finding for all the copies, on the one the client uses.
  if (c.copies.length > 1) return c.path === c.copies[0] ? copiesFinding(id, c, base, title) : undefined;
  if (c.remote === null) return entryFinding(ctx, id, c, base);
  if (c.remote.via === "bridge") {
    // The bridge's own command first (a moved binary); --fix would write a local server over it.
    const f = entryFinding(ctx, id, c, base);
    if (f.status !== "ok" && c.remote.fix === null) return { ...f, fixable: false };
  }
  return remoteFinding(id, c, base);
}

/** A remote entry: the server answered with the token (tools, time), or the failure and its fix. */
function remoteFinding(id: ClientId, c: EntryCheck, base: string): Finding {
  const r = c.remote!;
  const title = scopedLabel(id, c.scope);
  const via = r.via === "bridge" ? " through the connect bridge" : "";
  if (c.problems.length > 0)
    return fail(
      "clients",
      base,
      title,
      `${c.path}: ${r.url}${via}: ${c.problems.join("; ")}`,
      r.fix ?? "See the message.",
    );
  if (r.probe?.ok)
    return ok(
      "clients",
      base,
      title,
      `registered (${c.scope} scope) in ${c.path}: ${r.url}${via}; ${r.tokenEnv ? `token from ${r.tokenEnv} accepted, ` : ""}handshake with ${r.probe.server}, ${r.probe.tools} tools, ${r.probe.ms} ms`,
    );
  return warn(
    "clients",
    base,
    title,
    `registered (${c.scope} scope) in ${c.path}: ${r.url}${via}; not contacted: ${r.skipped ?? "no check"}`,
    "Run 'orchestrator doctor' at user scope, or 'orchestrator connect URL --token-env VAR' yourself, to check the server.",
  );
}

/**
 * Our name in several scopes with different commands or arguments (a project entry adds
 * `--workspace`): the client runs only the one of the highest scope, and Claude Code flags it as
 * `[Conflicting scopes]`. Says which one wins and how to keep one.
 */
function scopeConflict(id: ClientId, entries: readonly InstalledEntry[]): Finding | undefined {
  const order = scopePrecedence(id);
  const byScope = order
    .map((scope) => entries.find((e) => e.scope === scope))
    .filter((e): e is InstalledEntry => e !== undefined);
  const line = (e: InstalledEntry) => [e.command, ...e.args].join(" ");
  if (byScope.length < 2 || new Set(byScope.map(line)).size < 2) return undefined;
  const wins = byScope[0] as InstalledEntry;
  const alt = byScope.at(-1) as InstalledEntry;
  const label = clientSpec(id).label;
  const remove = (list: InstalledEntry[]) =>
    list.map((e) => `'orchestrator uninstall --client ${id} --scope ${e.scope}'`).join(" and ");
  return warn(
    "clients",
    `clients.${id}.scopes`,
    `${label} scopes`,
    `"${SERVER_NAME}" is registered in ${byScope.length} scopes with different commands: ${byScope.map((e) => `${e.scope} (${e.path}: ${line(e)})`).join("; ")}. In this project ${label} runs the ${wins.scope} one (${order.join(" > ")})${id === "claude-code" ? " and reports [Conflicting scopes]" : ""}`,
    `To keep only the ${wins.scope} entry: ${remove(byScope.filter((e) => line(e) !== line(wins)))}. To use the ${alt.scope} one instead: ${remove(byScope.filter((e) => line(e) !== line(alt)))}.`,
  );
}

function entryFinding(ctx: DoctorContext, id: ClientId, c: EntryCheck, base: string): Finding {
  const title = scopedLabel(id, c.scope);
  const reinstall = `orchestrator install --client ${id}${c.scope === "user" ? "" : ` --scope ${c.scope}`} --force`;
  if (c.command && !isAbsolute(c.command)) {
    return {
      ...fail(
        "clients",
        base,
        title,
        `the entry runs '${c.command}' by name: clients start servers without your shell's PATH, so it may not be found, or be another program`,
        `Run '${reinstall}' (or 'orchestrator doctor --fix') to register the absolute path ${ctx.self.command}.`,
      ),
      fixable: true,
    };
  }
  if (c.command && !existsSync(c.command)) {
    return {
      ...fail(
        "clients",
        base,
        title,
        `the entry runs ${c.command}, which does not exist (moved, deleted or an old build)`,
        `Run '${reinstall}' (or 'orchestrator doctor --fix') to point it at ${ctx.self.command}.`,
      ),
      fixable: true,
    };
  }
  const shim = c.command ? /(^|[\\/])(npx|bunx|npm|pnpm|yarn)(\.cmd|\.exe)?$/i.test(c.command) : false;
  if (c.missingKeys.length > 0) return missingKeysFinding(c, base, title);
  if (c.problems.length > 0 && !shim) {
    const onlyDuplicates = c.problems.every((p) => p.startsWith("other entries"));
    const f = (onlyDuplicates ? warn : fail)(
      "clients",
      base,
      title,
      `${c.path}: ${c.problems.join("; ")}`,
      onlyDuplicates
        ? `Remove the stale entries (${c.duplicates.join(", ")}) from ${c.path}; keep "${SERVER_NAME}".`
        : `Run '${reinstall}'.`,
    );
    return { ...f, fixable: !onlyDuplicates };
  }
  if (shim) {
    return warn(
      "clients",
      base,
      title,
      `the entry starts through ${c.command}: slow, needs the network on first start, and on Windows npx is a .cmd shim some clients cannot spawn`,
      `Run '${reinstall}' to register the binary itself.`,
    );
  }
  const same = c.command !== null && safeReal(c.command) === safeReal(ctx.self.command);
  if (!same && c.version !== ctx.version) {
    return {
      ...warn(
        "clients",
        base,
        title,
        `runs ${c.command} (version ${c.version ?? "unknown"}), not this binary (${ctx.version})`,
        `If this binary is the one you want, run '${reinstall}' (or 'orchestrator doctor --fix').`,
      ),
      fixable: true,
    };
  }
  return ok(
    "clients",
    base,
    title,
    `registered (${c.scope} scope) in ${c.path}: ${c.command} ${c.args.map(redactUrl).join(" ")} (${c.version}); store: ${c.store ?? "each workspace's own"}`,
  );
}

/** Our entry in several files of one scope: the client merges them and uses the first. */
function copiesFinding(id: ClientId, c: EntryCheck, base: string, title: string): Finding {
  return fail(
    "clients",
    base,
    title,
    `our entry is in ${c.copies.length} files ${clientSpec(id).label} reads (${c.copies.join(", ")}); it uses the one in ${c.copies[0]}`,
    `Run 'orchestrator uninstall --client ${id}${c.scope === "user" ? "" : ` --scope ${c.scope}`}' (it removes every copy), then install again.`,
  );
}

/** A file without the top-level keys its client requires: the client will not start. */
function missingKeysFinding(c: EntryCheck, base: string, title: string): Finding {
  const [problem] = missingKeysProblem(c.client, c.missingKeys, c.path);
  return fail("clients", base, title, `${c.path}: ${problem}`, `Add the keys at the top of ${c.path}.`);
}

/** Our entry (or an orchestrator entry) under a servers key this client does not read. */
function entryUnderWrongKey(path: string, rightKey: string, format: string): string | undefined {
  if (format !== "json" && format !== "jsonc") return undefined;
  let doc: unknown;
  try {
    doc = parseJsonc(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
  if (!doc || typeof doc !== "object") return undefined;
  for (const key of SERVER_KEYS) {
    if (key === rightKey) continue;
    const box = (doc as Record<string, unknown>)[key];
    if (box && typeof box === "object" && SERVER_NAME in (box as object)) return key;
  }
  const nested = (doc as { mcp?: { servers?: object } }).mcp?.servers;
  if (rightKey !== "mcp" && nested && typeof nested === "object" && SERVER_NAME in nested)
    return "mcp.servers";
  return undefined;
}

/** Config files that have a backup (so 'rollback' can restore them); none when the manifest is unreadable. */
async function backedUpPaths(ctx: DoctorContext): Promise<Set<string>> {
  const backups = await listBackups(ctx.install).catch(() => []);
  return new Set(backups.map((b) => b.path));
}
