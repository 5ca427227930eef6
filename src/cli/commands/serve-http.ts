import { OrchestratorError } from "../../core/errors.ts";
import type { Settings } from "../../core/settings.ts";
import { systemClock } from "../../platform/clock.ts";
import { type Env, maxRequestBytes, parseDuration } from "../../platform/env.ts";
import { readTestHooks } from "../../platform/test-hooks.ts";
import { readHttpWorkerConfig } from "../../protocol/http-worker.ts";
import type { ToolProfile } from "../../server/profiles.ts";
import { settingsDbAllowed } from "../../workspace/allow-settings-db.ts";
import { tokenDatabase } from "./_database.ts";
import { jwtConfig, tlsFiles } from "./_http-security.ts";

/** The `serve` flags that only mean something with --http. */
export interface HttpFlags {
  http?: string | number;
  httpMaxBody?: string | number;
  httpTimeout?: string;
  auth?: string;
  allowOrigin?: string | string[];
  publicUrl?: string;
  insecureNoAuth?: boolean;
  authJwksUrl?: string;
  authIssuer?: string;
  authAudience?: string;
  authIdentityClaim?: string;
  tlsCert?: string;
  tlsKey?: string;
  metricsPublic?: boolean;
  uiActions?: boolean;
}

const HTTP_ONLY = [
  "httpMaxBody",
  "httpTimeout",
  "auth",
  "allowOrigin",
  "publicUrl",
  "insecureNoAuth",
  "authJwksUrl",
  "authIssuer",
  "authAudience",
  "authIdentityClaim",
  "tlsCert",
  "tlsKey",
  "metricsPublic",
  "uiActions",
] as const;
const DEFAULT_TIMEOUT = "120s";

/** Refuses HTTP-only flags given without --http (they would silently do nothing). */
export function checkHttpOnlyFlags(flags: HttpFlags): void {
  const stray = HTTP_ONLY.filter((k) => flags[k] !== undefined && flags[k] !== false);
  if (flags.http === undefined && stray.length > 0) {
    const names = stray.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    throw new OrchestratorError("USAGE", `${names.join(", ")} only apply with --http [HOST:]PORT.`);
  }
}

/**
 * `serve --http`: the team server over Streamable HTTP. By default two processes: a front that
 * owns the listening socket and a worker it can restart without refusing a request (SIGHUP,
 * orchestrator_restart_server; docs/reboot.md, "HTTP"). `--no-supervisor` serves in this process.
 * Resolves with the exit code.
 */
export async function serveHttp(
  env: Env,
  flags: HttpFlags & { workspace?: string | undefined; db?: string | undefined },
  common: {
    readonly workspace: string | undefined;
    readonly db: string | undefined;
    readonly settings: Settings;
    readonly settingsFixed: ReadonlySet<keyof Settings>;
    readonly profile: ToolProfile;
    /** Run the front and a restartable worker (false: --no-supervisor, ORCHESTRATOR_SUPERVISOR=0). */
    readonly supervise: boolean;
    /** This command's own arguments, given unchanged to each worker. */
    readonly rawArgs: readonly string[];
  },
): Promise<number> {
  const [{ parseBindAddress }, { parseOrigin }] = await Promise.all([
    import("../../server/http/address.ts"),
    import("../../server/http/guard.ts"),
  ]);
  const bind = parseBindAddress(String(flags.http));
  const maxBodyBytes =
    flags.httpMaxBody === undefined
      ? maxRequestBytes(common.settings.maxArtifactBytes)
      : parseBytes(String(flags.httpMaxBody));
  let timeoutMs: number;
  try {
    timeoutMs = parseDuration(String(flags.httpTimeout ?? DEFAULT_TIMEOUT), "--http-timeout");
  } catch (e) {
    throw new OrchestratorError("USAGE", (e as Error).message);
  }
  if (flags.auth !== undefined && flags.auth !== "tokens") {
    throw new OrchestratorError(
      "USAGE",
      `--auth must be 'tokens' (for JWTs give --auth-jwks-url, --auth-issuer, --auth-audience), got '${String(flags.auth)}'.`,
    );
  }
  const authRequired = flags.auth === "tokens";
  if (authRequired && flags.insecureNoAuth) {
    throw new OrchestratorError(
      "USAGE",
      "--auth tokens and --insecure-no-auth contradict each other; pick one.",
    );
  }
  const allowOrigins = [flags.allowOrigin ?? []]
    .flat()
    .flatMap((o) => String(o).split(","))
    .filter((o) => o.trim() !== "")
    .map((o) => parseOrigin(o.trim(), "--allow-origin"));
  const publicUrl =
    flags.publicUrl === undefined ? undefined : parsePublicUrl(String(flags.publicUrl), parseOrigin);
  if (publicUrl) allowOrigins.push(new URL(publicUrl).origin);
  const jwt = jwtConfig(flags);
  const tls = tlsFiles(flags, env.cwd);
  const tokenDb = await tokenDatabase(env, flags, common.db, { create: true });
  if (authRequired && !tokenDb) {
    throw new OrchestratorError(
      "USAGE",
      "--auth tokens needs a database for the tokens: pass --db FILE (or --workspace DIR), the same as for `orchestrator token create`.",
    );
  }
  const [
    { runHttpServer },
    { StoreCache },
    { createRoleLoader },
    { randomHex },
    { BUILD_INFO },
    settingsMod,
    proc,
  ] = await Promise.all([
    import("../../server/http/serve-http.ts"),
    import("../../store/cache.ts"),
    import("../../workspace/roles.ts"),
    import("../../platform/fs.ts"),
    import("../../build-info.ts"),
    import("../../workspace/settings.ts"),
    import("../../platform/process.ts"),
  ]);
  const log = (line: string): void => {
    process.stderr.write(line);
  };
  const workerConfig = readHttpWorkerConfig(env.vars);
  if (!workerConfig && common.supervise) {
    const [{ runHttpFront }, { selfCommand }, { createListener }] = await Promise.all([
      import("../../supervisor/http-front.ts"),
      import("../../platform/self-command.ts"),
      import("../../server/http/tls.ts"),
    ]);
    const self = selfCommand(env);
    return runHttpFront({
      // The front terminates TLS (a bad pair is TLS_INVALID here, before listening); its workers
      // speak plain HTTP on their Unix sockets. A restart keeps the certificate the front loaded.
      listener: createListener(tls),
      host: bind.host,
      port: bind.port,
      command: self.command,
      args: [...self.args, ...common.rawArgs],
      env: env.vars,
      log,
    });
  }
  const { createWorkerControl } = await import("../../server/http/worker-control.ts");
  const control = workerConfig
    ? createWorkerControl(process.stdin, process.stdout, () => process.kill(process.pid, "SIGTERM"))
    : undefined;
  const hooks = readTestHooks(env);
  try {
    await runHttpServer(
      {
        version: BUILD_INFO.version,
        env,
        workspace: common.workspace,
        db: common.db,
        settings: common.settings,
        settingsFixed: common.settingsFixed,
        settingsLoader: settingsMod.createSettingsLoader(),
        allowSettingsDb: settingsDbAllowed(env.vars),
        tools: common.profile,
        // No connection process: a remote agent's life is not this server's, so its claims end by
        // their lease alone (a server restart must not free every claim it served).
        connection: undefined,
        holderGone: proc.holderGone,
        testDelayMs: hooks.toolDelayMs,
        copyDelayMs: hooks.copyDelayMs,
        // The one system clock object: open-context swaps it for PostgreSQL's server clock.
        clock: systemClock,
        random: { hex: randomHex },
        roleLoader: createRoleLoader(),
        stores: new StoreCache(),
        httpRestart: control?.restart,
      },
      {
        bind,
        maxBodyBytes,
        timeoutMs,
        allowOrigins,
        publicUrl,
        authRequired,
        insecureNoAuth: flags.insecureNoAuth === true,
        tokenDb,
        jwt,
        tls,
        metricsPublic: flags.metricsPublic === true,
        uiActions: flags.uiActions === true,
        log,
        worker: workerConfig && control ? { config: workerConfig, control } : undefined,
      },
    );
  } finally {
    // Also when it refused to start: an open stdin would keep this worker alive.
    control?.close();
  }
  return 0;
}

/** `--http-max-body`: bytes, or with a binary unit (64k, 8m, 8MiB). */
function parseBytes(raw: string): number {
  const m = /^\s*(\d+)\s*(b|k|kb|kib|m|mb|mib)?\s*$/i.exec(raw);
  const unit = (m?.[2] ?? "b").toLowerCase();
  const n = m
    ? Number(m[1]) * (unit.startsWith("k") ? 1024 : unit.startsWith("m") ? 1024 * 1024 : 1)
    : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1024 || n > 1024 * 1024 * 1024) {
    throw new OrchestratorError(
      "USAGE",
      `--http-max-body must be a size from 1k to 1024m (e.g. 8m), got '${raw.slice(0, 40)}'.`,
    );
  }
  return n;
}

/** `--public-url`: the http(s) URL clients reach the server at, without /mcp and without a trailing slash. */
function parsePublicUrl(raw: string, parseOrigin: (raw: string, flag: string) => string): string {
  const origin = parseOrigin(raw, "--public-url");
  const path = new URL(raw).pathname.replace(/\/+$/, "").replace(/\/mcp$/, "");
  return `${origin}${path}`;
}
