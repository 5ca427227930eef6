import { existsSync, readFileSync } from "node:fs";
import { isAbsolute } from "node:path";
import { parse as parseJsonc } from "jsonc-parser";
import { listBackups } from "../../install/backups.ts";
import { type ClientId, clientSpec } from "../../install/clients.ts";
import { SERVER_NAME } from "../../install/types.ts";
import { checkClient, type EntryCheck } from "../../install/validate.ts";
import { safeReal } from "../../platform/fs.ts";
import type { DoctorContext } from "../context.ts";
import { type Finding, fail, ok, skip, warn } from "../report.ts";

/** Keys other clients use for their servers: finding ours under one of them is a classic mistake. */
const SERVER_KEYS = ["mcpServers", "servers", "context_servers", "mcp", "mcp_servers", "extensions"];

/** One entry to launch in the live check. */
export interface InstalledEntry {
  readonly client: ClientId;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/**
 * For each client: config found, parses, our entry present under the right key, its command
 * absolute, executable, this binary and current; stale or duplicate entries.
 */
export async function checkClients(
  ctx: DoctorContext,
): Promise<{ findings: Finding[]; installed: InstalledEntry[] }> {
  const findings: Finding[] = [];
  const installed: InstalledEntry[] = [];
  const backedUp = await backedUpPaths(ctx);
  // In parallel: each check may run a version probe of up to timeoutMs, and doctor's total time
  // must not grow with the number of hostile entries.
  const checks = await Promise.all(
    ctx.clients.map((id) => checkClient(ctx.install, id, "user", undefined, { timeoutMs: ctx.timeoutMs })),
  );
  for (const [i, id] of ctx.clients.entries()) {
    const spec = clientSpec(id);
    const c = checks[i] as EntryCheck;
    const base = `clients.${id}`;
    if (!c.found) {
      const present = spec.detect(ctx.install).some((p) => existsSync(p));
      findings.push(
        skip(
          "clients",
          base,
          spec.label,
          present ? `installed, no config file yet (${c.path})` : "not found on this machine",
        ),
      );
      continue;
    }
    if (!c.parses) {
      findings.push(
        fail(
          "clients",
          base,
          spec.label,
          `${c.path} ${c.problems[0] ?? "does not parse"}`,
          backedUp.has(c.path)
            ? `Fix the file at that place (the client cannot read it either), or restore the last good copy: 'orchestrator rollback --client ${id}'.`
            : "Fix the file at that place (the client cannot read it either); no backup of it exists yet.",
        ),
      );
      continue;
    }
    const wrongKey = c.installed ? undefined : entryUnderWrongKey(c.path, spec.keyPath[0] ?? "", spec.format);
    if (wrongKey) {
      findings.push(
        fail(
          "clients",
          base,
          spec.label,
          `our entry is under "${wrongKey}" in ${c.path}, but ${spec.label} reads "${spec.keyPath.join(".")}": it will not see the server`,
          `Run 'orchestrator install --client ${id}' to add it under the right key, then delete the "${wrongKey}" block.`,
        ),
      );
      continue;
    }
    if (!c.installed) {
      findings.push(
        c.duplicates.length > 0
          ? warn(
              "clients",
              base,
              spec.label,
              `no "${SERVER_NAME}" entry, but ${c.duplicates.join(", ")} run an orchestrator`,
              `Run 'orchestrator install --client ${id}' and remove the old entries.`,
            )
          : skip("clients", base, spec.label, `not registered (${c.path})`),
      );
      continue;
    }
    findings.push(entryFinding(ctx, id, c));
    // Whatever the static checks found, a command that exists is launched by the live check: it
    // tells a server that hangs from one that talks garbage from one that works.
    if (c.command && existsSync(c.command)) {
      installed.push({ client: id, command: c.command, args: c.args, env: c.env });
    }
  }
  return { findings, installed };
}

function entryFinding(ctx: DoctorContext, id: ClientId, c: EntryCheck): Finding {
  const spec = clientSpec(id);
  const base = `clients.${id}`;
  const reinstall = `orchestrator install --client ${id} --force`;
  if (c.command && !isAbsolute(c.command)) {
    return {
      ...fail(
        "clients",
        base,
        spec.label,
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
        spec.label,
        `the entry runs ${c.command}, which does not exist (moved, deleted or an old build)`,
        `Run '${reinstall}' (or 'orchestrator doctor --fix') to point it at ${ctx.self.command}.`,
      ),
      fixable: true,
    };
  }
  const shim = c.command ? /(^|[\\/])(npx|bunx|npm|pnpm|yarn)(\.cmd|\.exe)?$/i.test(c.command) : false;
  if (c.problems.length > 0 && !shim) {
    const onlyDuplicates = c.problems.every((p) => p.startsWith("other entries"));
    const f = (onlyDuplicates ? warn : fail)(
      "clients",
      base,
      spec.label,
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
      spec.label,
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
        spec.label,
        `runs ${c.command} (version ${c.version ?? "unknown"}), not this binary (${ctx.version})`,
        `If this binary is the one you want, run '${reinstall}' (or 'orchestrator doctor --fix').`,
      ),
      fixable: true,
    };
  }
  return ok(
    "clients",
    base,
    spec.label,
    `registered in ${c.path}: ${c.command} ${c.args.join(" ")} (${c.version})`,
  );
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
