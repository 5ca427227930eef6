import type { CAC } from "cac";
import { OrchestratorError } from "../../core/errors.ts";
import type { RemoteCheck } from "../../install/validate-remote.ts";
import type { Env } from "../../platform/env.ts";
import { safeReal } from "../../platform/fs.ts";
import { redactUrl } from "../../store/postgres/url.ts";
import { EXIT } from "../exit-codes.ts";
import type { Output } from "../output.ts";
import {
  checkScope,
  installEnvFrom,
  pickClients,
  pickScope,
  SCOPE_HELP,
  serverCommand,
} from "./_install-env.ts";

interface Flags {
  client?: string;
  all?: boolean;
  scope?: string;
  project?: string;
  to?: string;
  json?: boolean;
}

/** One line on a remote entry's check: what answered, or why it was not contacted, and the fix. */
function describeRemote(r: RemoteCheck): string {
  const via = r.via === "bridge" ? "through the connect bridge" : "direct";
  if (r.probe?.ok) {
    return `remote ${r.url} (${via}): ${r.tokenEnv ? `token from ${r.tokenEnv} accepted, ` : ""}handshake with ${r.probe.server}, ${r.probe.tools} tools, ${r.probe.ms} ms`;
  }
  if (r.skipped)
    return `remote ${r.url} (${via}): not contacted: ${r.skipped}${r.fix ? `. Fix: ${r.fix}` : ""}`;
  return `remote ${r.url} (${via})${r.fix ? `. Fix: ${r.fix}` : ""}`;
}

/** `validate`, `backups` and `rollback`: check what install wrote, and undo it byte-for-byte. */
export function registerBackupCommands(cli: CAC, env: Env, io: Output, setCode: (c: number) => void): void {
  cli
    .command(
      "validate",
      "Check every installed entry (parses, shape, binary runs) and every backup's checksum",
    )
    .option("--client <id>", "Only these clients (comma-separated)")
    .option("--scope <scope>", SCOPE_HELP, { default: "user" })
    .option("--project <dir>", "Project folder for --scope project or local")
    .option("--json", "Print as JSON")
    .action(async (flags: Flags) => {
      const [{ checkClient, verifyBackups }, { CLIENT_IDS, hasScope }] = await Promise.all([
        import("../../install/validate.ts"),
        import("../../install/clients.ts"),
      ]);
      const ienv = installEnvFrom(env);
      const { scope, projectDir } = pickScope(env, flags);
      const ids = flags.client
        ? pickClients(flags, () => [])
        : CLIENT_IDS.filter((id) => hasScope(id, scope));
      checkScope(ids, scope);
      // A project's file comes with the repository: only this binary is run for its version.
      const self = safeReal(serverCommand(env, undefined).command);
      const trusted = (command: string) => safeReal(command) === self;
      const { registeredRemotes, remoteKey } = await import("../../install/validate-remote.ts");
      const mine = registeredRemotes(ienv, ids, projectDir);
      const trustedUrl = (url: string, tokenEnv: string | undefined) => mine.has(remoteKey(url, tokenEnv));
      const checks = (
        await Promise.all(
          ids.map((id) =>
            checkClient(ienv, id, scope, projectDir, {
              trusted,
              remote: { vars: env.vars, timeoutMs: 10_000, trustedUrl },
            }),
          ),
        )
      ).flat();
      const backups = await verifyBackups(ienv);
      const failed = checks.some((c) => c.problems.length > 0) || backups.some((b) => !b.ok);
      if (flags.json) {
        // A client's env may hold a password (PGPASSWORD, a URL in ORCHESTRATOR_DB): never printed.
        const shown = checks.map((k) => ({ ...k, env: redactEnv(k.env) }));
        io.out(JSON.stringify({ ok: !failed, clients: shown, backups }, null, 2));
      } else {
        const { c } = io;
        for (const k of checks) {
          const state = !k.found
            ? c.dim("no config")
            : !k.parses
              ? c.red("does not parse")
              : k.installed
                ? c.green(`installed${k.version ? ` (${k.version})` : ""}`)
                : c.dim("not installed");
          io.out(
            `${k.problems.length > 0 ? c.red("✗") : c.green("✓")} ${c.bold(k.client)} (${k.scope}) ${state} ${c.dim(k.path)}`,
          );
          if (k.installed)
            io.out(
              `    store: ${k.store ?? "each workspace's own (.task_orchestrator/orchestrator.db, or its settings' db: when allowed)"}`,
            );
          for (const p of k.problems) io.out(`    ${p}`);
          if (k.remote) io.out(`    ${describeRemote(k.remote)}`);
        }
        const bad = backups.filter((b) => !b.ok);
        io.out(
          `${bad.length ? c.red("✗") : c.green("✓")} ${backups.length} backup(s)${bad.length ? `, ${bad.length} damaged` : ", checksums match"}`,
        );
        for (const b of bad) io.out(`    ${b.record.id}: ${b.problem}`);
      }
      setCode(failed ? EXIT.FAILED : EXIT.OK);
    });

  cli
    .command("backups", "List the backups install and uninstall made of client configs")
    .option("--client <id>", "Only this client")
    .option("--json", "Print as JSON")
    .action(async (flags: Flags) => {
      const { listBackups, backupsDir } = await import("../../install/backups.ts");
      const ienv = installEnvFrom(env);
      const ids = flags.client ? pickClients(flags, () => []) : undefined;
      const all = (await listBackups(ienv)).filter((b) => !ids || ids.includes(b.client as never));
      if (flags.json) io.out(JSON.stringify({ folder: backupsDir(ienv), backups: all }, null, 2));
      else {
        io.out(io.c.dim(`Backups in ${backupsDir(ienv)}`));
        if (all.length === 0) io.out("No backups yet.");
        for (const b of all) {
          io.out(
            `${b.id}  ${b.client}  ${b.reason}  ${b.existed ? `${b.size} bytes` : "(file did not exist)"}  ${b.path}`,
          );
        }
      }
      setCode(EXIT.OK);
    });

  cli
    .command("rollback", "Restore a client's config byte-for-byte from a backup (the newest by default)")
    .option("--client <id>", "The client")
    .option("--to <backup-id>", "A backup id from 'orchestrator backups'")
    .option("--scope <scope>", SCOPE_HELP, { default: "user" })
    .option("--project <dir>", "Project folder for --scope project or local")
    .option("--json", "Print as JSON")
    .action(async (flags: Flags) => {
      const ids = pickClients({ client: flags.client }, () => []);
      if (ids.length !== 1)
        throw new OrchestratorError("USAGE", "rollback works on one client at a time: --client ID.");
      const { rollbackClient } = await import("../../install/run.ts");
      const { scope, projectDir } = pickScope(env, flags);
      let result: Awaited<ReturnType<typeof rollbackClient>>;
      try {
        result = await rollbackClient(installEnvFrom(env), ids[0]!, {
          scope,
          projectDir,
          to: flags.to,
          now: new Date().toISOString(),
        });
      } catch (e) {
        if (e instanceof OrchestratorError) throw e;
        throw new OrchestratorError("BACKUP_NOT_FOUND", (e as Error).message);
      }
      if (flags.json) io.out(JSON.stringify(result, null, 2));
      else {
        io.out(
          `${io.c.green("✓")} restored ${result.restored.path} to backup ${result.restored.id} (${result.restored.reason}, ${result.restored.created_at})`,
        );
        io.out(io.c.dim(`  the state before this rollback is backup ${result.safety.id}`));
      }
      setCode(EXIT.OK);
    });
}

/** An entry's variables fit to print: secrets masked, URLs without their password. */
function redactEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, /PASSWORD|SECRET|TOKEN|KEY/i.test(k) ? "***" : redactUrl(v)]),
  );
}
