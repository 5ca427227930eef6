import type { CAC } from "cac";
import { OrchestratorError } from "../../core/errors.ts";
import { DEFAULT_SETTINGS } from "../../core/settings.ts";
import { type Env, maxRequestBytes, parseDuration } from "../../platform/env.ts";

interface ConnectFlags {
  tokenEnv?: string;
  token?: string;
  timeout?: string;
}

/** A little over the server's default --http-timeout (120 s), so the server's own answer wins. */
const DEFAULT_TIMEOUT = "130s";

/**
 * `orchestrator connect URL --token-env VAR`: a stdio MCP server that relays to a remote
 * `serve --http`, for clients (and tools) that only start stdio servers. stdout is the protocol.
 */
export function registerConnectCommand(cli: CAC, env: Env): void {
  cli
    .command("connect <url>", "Bridge stdio to a remote orchestrator over Streamable HTTP (https://HOST/mcp)")
    .option("--token-env <VAR>", "The environment variable holding the bearer token (never the token itself)")
    .option(
      "--token <value>",
      "Refused: a token on a command line is visible to other users; use --token-env",
    )
    .option("--timeout <duration>", `How long one request may take (default ${DEFAULT_TIMEOUT})`)
    .action(async (url: string, flags: ConnectFlags) => {
      if (flags.token !== undefined) {
        throw new OrchestratorError(
          "USAGE",
          "--token is refused: a token on a command line shows in `ps` and shell history. Put it in an environment variable and pass its name: --token-env ORCHESTRATOR_TOKEN.",
        );
      }
      const [{ checkRemoteUrl, checkTokenEnvName, readToken }, { runBridge }] = await Promise.all([
        import("../../remote/target.ts"),
        import("../../remote/bridge.ts"),
      ]);
      const target = checkRemoteUrl(url);
      let token: string | OrchestratorError;
      if (flags.tokenEnv === undefined) {
        // A server without authentication (loopback, no token yet) is reachable without one.
        token = "";
      } else {
        const name = checkTokenEnvName(String(flags.tokenEnv));
        try {
          token = readToken(env.vars, name);
        } catch (e) {
          if (!(e instanceof OrchestratorError)) throw e;
          // Stay up and answer each request with the fix: a client shows that, not a dead server.
          process.stderr.write(`orchestrator connect: ${e.code}: ${e.message} ${e.fix}\n`);
          token = e;
        }
      }
      await runBridge({
        url: target,
        token,
        timeoutMs: parseDuration(flags.timeout ?? DEFAULT_TIMEOUT, "--timeout"),
        maxLineBytes: maxRequestBytes(DEFAULT_SETTINGS.maxArtifactBytes),
        input: process.stdin,
        output: process.stdout,
        log: (line) => process.stderr.write(`${line}\n`),
      });
    });
}
