import type { CAC } from "cac";
import { OrchestratorError } from "../../core/errors.ts";
import { type Env, parseDuration } from "../../platform/env.ts";
import { EXIT } from "../exit-codes.ts";
import type { Output } from "../output.ts";
import { tokenDatabase } from "./_database.ts";
import { checkDbPath } from "./serve.ts";

interface TokenFlags {
  name?: string;
  expires?: string;
  project?: string | string[] | number | boolean;
  workspace?: string;
  db?: string;
  json?: boolean;
}

const ACTIONS = ["create", "list", "revoke"] as const;

/**
 * `orchestrator token create|list|revoke`: the bearer tokens of `serve --http`, kept (hashed) in
 * the server's database. The secret is printed once, alone on stdout, so `$(...)` captures it.
 */
export function registerTokenCommand(cli: CAC, env: Env, io: Output, setCode: (c: number) => void): void {
  cli
    .command(
      "token <action> [name]",
      "Bearer tokens for serve --http: create --name NAME [--expires 30d] [--project ID]..., list, revoke NAME",
    )
    .option("--name <name>", "create: the token's name, which is the agent identity of its holder")
    .option("--expires <duration>", "create: lifetime, e.g. 30d, 12h (default: no expiry)")
    .option(
      "--project <id>",
      "create: limit the token to this project id (repeatable or comma-separated; default: every project)",
    )
    .option("--db <path>", "The server's database (env ORCHESTRATOR_DB), as given to serve --db")
    .option(
      "--workspace <dir>",
      "Without --db: the project whose database holds the tokens (default: the project around the current directory)",
    )
    .option("--json", "Print as JSON")
    .action(async (action: string, name: string | undefined, flags: TokenFlags) => {
      if (!(ACTIONS as readonly string[]).includes(action)) {
        throw new OrchestratorError(
          "USAGE",
          `unknown token action '${action}'; use one of ${ACTIONS.join(", ")}.`,
        );
      }
      const now = new Date().toISOString();
      const target = async (): Promise<string> => {
        const dbFlag = flags.db ?? env.vars.ORCHESTRATOR_DB;
        const db = dbFlag ? checkDbPath(String(dbFlag), env.cwd) : undefined;
        const path = await tokenDatabase(env, flags, db, { create: action === "create" });
        if (path) return path;
        throw new OrchestratorError(
          "WORKSPACE_UNRESOLVED",
          `${env.cwd} is not inside a project and no --db was given, so there is no database for tokens. Pass --db FILE (as given to serve --db) or --workspace DIR.`,
        );
      };
      if (action === "create") {
        const tokenName = flags.name ?? name;
        if (typeof tokenName !== "string" || tokenName === "") {
          throw new OrchestratorError("USAGE", "token create needs --name NAME (the agent identity).");
        }
        let lifetimeMs: number | undefined;
        if (flags.expires !== undefined) {
          try {
            lifetimeMs = parseDuration(String(flags.expires), "--expires");
          } catch (e) {
            throw new OrchestratorError("USAGE", `${(e as Error).message} (days: 30d).`);
          }
        }
        const projects = projectFlags(flags.project);
        const { createToken, checkProjects } = await import("../../app/tokens.ts");
        // Before the database is opened (or created): a bad id changes nothing.
        checkProjects(projects);
        const { token, info } = await withStore(await target(), (store) =>
          createToken(store, {
            name: String(tokenName),
            lifetimeMs,
            now,
            projects: projectFlags(flags.project),
          }),
        );
        if (flags.json) {
          io.out(
            JSON.stringify(
              { name: info.name, token, expires_at: info.expiresAt, projects: info.projects },
              null,
              2,
            ),
          );
        } else {
          io.err(
            `Token ${info.name} created (${info.expiresAt ? `expires ${info.expiresAt}` : "no expiry"}; ${info.projects ? `projects ${info.projects.join(", ")} only` : "every project"}). It is shown once: store it now. Clients send it as the header Authorization: Bearer <token>.`,
          );
          io.out(token);
        }
        setCode(EXIT.OK);
        return;
      }
      if (action === "list") {
        const { listTokens } = await import("../../app/tokens.ts");
        const tokens = await withStore(await target(), (store) => listTokens(store, now));
        if (flags.json) {
          io.out(
            JSON.stringify(
              tokens.map((t) => ({
                name: t.name,
                state: t.state,
                created_at: t.createdAt,
                last_used_at: t.lastUsedAt,
                expires_at: t.expiresAt,
                revoked_at: t.revokedAt,
                projects: t.projects,
              })),
              null,
              2,
            ),
          );
        } else if (tokens.length === 0) {
          io.out("No tokens. Create one with: orchestrator token create --name NAME");
        } else {
          io.out(["NAME", "STATE", "CREATED", "LAST USED", "EXPIRES", "PROJECTS"].join("\t"));
          for (const t of tokens) {
            io.out(
              [
                t.name,
                t.state,
                t.createdAt,
                t.lastUsedAt ?? "never",
                t.expiresAt ?? "never",
                t.projects?.join(",") ?? "all",
              ].join("\t"),
            );
          }
        }
        setCode(EXIT.OK);
        return;
      }
      const tokenName = name ?? flags.name;
      if (typeof tokenName !== "string" || tokenName === "") {
        throw new OrchestratorError("USAGE", "token revoke needs the token's name: token revoke NAME.");
      }
      const { revokeToken } = await import("../../app/tokens.ts");
      const r = await withStore(await target(), (store) => revokeToken(store, String(tokenName), now));
      if (flags.json) io.out(JSON.stringify({ name: tokenName, revoked: true, already: r.already }));
      else io.out(r.already ? `Token ${tokenName} was revoked already.` : `Token ${tokenName} revoked.`);
      setCode(EXIT.OK);
    });
}

/** `--project a --project b,c` → [a, b, c]; a bare `--project` is a usage error, not "every project". */
function projectFlags(raw: TokenFlags["project"]): string[] {
  if (raw === undefined) return [];
  const values = (Array.isArray(raw) ? raw : [raw]).map((v) => (typeof v === "boolean" ? "" : String(v)));
  const ids = values.flatMap((v) => v.split(",")).map((v) => v.trim());
  if (ids.some((v) => v === "")) {
    throw new OrchestratorError(
      "USAGE",
      "--project needs a project id (e.g. --project github.com/acme/shop).",
    );
  }
  return ids;
}

/** Opens the database (migrating it, as every open does), runs `fn`, closes it. */
async function withStore<T>(
  path: string,
  fn: (store: import("../../store/port.ts").StorePort) => Promise<T>,
): Promise<T> {
  const { StoreCache } = await import("../../store/cache.ts");
  const stores = new StoreCache();
  try {
    return await fn(await stores.get(path));
  } finally {
    await stores.closeAll();
  }
}
