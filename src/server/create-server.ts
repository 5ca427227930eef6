import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { RootsListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { SERVER_INSTRUCTIONS } from "../core/guidance.ts";
import { builtinRoles } from "../core/roles/merge.ts";
import type { Role } from "../core/roles/role.ts";
import { SERVER_NAME, SERVER_TITLE } from "../protocol/handshake.ts";
import { readProjectIdentity } from "../workspace/project.ts";
import { findProjectRoot } from "../workspace/resolve.ts";
import { registerPrompts } from "./prompts.ts";
import { registerResources } from "./resources.ts";
import { lazySchemaValidator } from "./schema-validator.ts";
import { reportInvalidArguments, skipOwnOutputValidation } from "./sdk-compat.ts";
import { type ServerDeps, Session, type SessionOptions } from "./session.ts";
import { registerSupervisorHooks } from "./supervisor-hooks.ts";
import type { CatalogEntry } from "./tools/_catalog.ts";
import { registerTools } from "./tools/index.ts";

/**
 * One MCP server for one client connection. The process-wide parts (store cache, role loader,
 * settings) come in `deps`; the connection's own state (bound workspace, roots) lives in its Session.
 * Over HTTP it serves one request (`session.remote`): the caller's identity comes with it, and
 * the client is never asked for its roots (it could not answer a stateless request).
 */
export function createServer(
  deps: ServerDeps,
  sessionOpts: SessionOptions = {},
  /** The roles to offer as prompts, when the caller has them already (http/server-pool.ts). */
  roles?: ReadonlyMap<string, Role>,
): {
  server: McpServer;
  session: Session;
  /** The listed tools: what tools/list sends, and each one's full output schema. */
  tools: () => readonly CatalogEntry[];
  /** The roles its prompts offer. */
  roles: ReadonlyMap<string, Role>;
  close: () => Promise<void>;
} {
  const server = new McpServer(
    { name: SERVER_NAME, title: SERVER_TITLE, version: deps.version },
    {
      capabilities: { tools: {}, resources: {}, prompts: {}, logging: {} },
      instructions: SERVER_INSTRUCTIONS,
      jsonSchemaValidator: lazySchemaValidator(),
    },
  );
  const listRoots = async (): Promise<string | undefined> => {
    if (!server.server.getClientCapabilities()?.roots) return undefined;
    const { roots } = await server.server.listRoots(undefined, { timeout: 5_000 });
    return roots.find((r) => r.uri.startsWith("file://"))?.uri;
  };
  const session = new Session(deps, sessionOpts.remote ? undefined : listRoots, sessionOpts);
  server.server.oninitialized = () => {
    session.clientName = server.server.getClientVersion()?.name ?? "client";
  };
  server.server.setNotificationHandler(RootsListChangedNotificationSchema, async () =>
    session.invalidateRoots(),
  );
  const tools = registerTools(server, session, deps.tools, deps.supervised ?? false);
  reportInvalidArguments(server);
  if (!deps.checkOutputs) skipOwnOutputValidation(server);
  registerResources(server, session);
  const offered = roles ?? startupRoles(deps, session);
  registerPrompts(server, session, [...offered.values()]);
  if (deps.supervised) registerSupervisorHooks(server, session);
  return { server, session, tools, roles: offered, close: () => server.close() };
}

/** The built-in roles, built once: a kept HTTP server is looked up by the roles it offers. */
let builtins: ReadonlyMap<string, Role> | undefined;
const builtinSet = (): ReadonlyMap<string, Role> => {
  builtins ??= builtinRoles();
  return builtins;
};

/**
 * The roles offered as prompts: the built-ins plus the custom roles of the default workspace, if
 * any, and if the caller may see that project (a project-limited token is shown built-ins only).
 * The same map while the role files are unchanged (the loader's snapshot).
 */
export function startupRoles(
  deps: ServerDeps,
  session: Pick<Session, "projectLimited" | "admit">,
  projectRoot: () => string | undefined = () => findProjectRoot(deps.env.cwd, deps.env.homedir),
): ReadonlyMap<string, Role> {
  const ws = deps.workspace ?? projectRoot();
  if (!ws) return builtinSet();
  if (session.projectLimited) {
    try {
      session.admit(readProjectIdentity(ws, deps.settingsLoader));
    } catch {
      // A refused project, or a broken settings file (which the tools report): the built-ins only.
      return builtinSet();
    }
  }
  return deps.roleLoader.load(ws).roles;
}
