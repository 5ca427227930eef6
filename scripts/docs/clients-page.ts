/** docs/reference/clients.md: the client table, per platform and scope. */
import {
  CLIENT_IDS,
  claudeDesktopCandidates,
  clientSpec,
  resolveClientPath,
  scopesOf,
} from "../../src/install/clients.ts";
import { buildServerEntry, shapeEntry } from "../../src/install/entry.ts";
import { remoteSupport } from "../../src/install/remote-clients.ts";
import { buildBridgeEntry, shapeRemoteEntry } from "../../src/install/remote-entry.ts";
import { type EntryShape, type InstallEnv, SERVER_NAME } from "../../src/install/types.ts";
import { CLIENT_CLIS } from "../../src/install/via-cli.ts";
import { code, page, table } from "./markdown.ts";

const HOMES: ReadonlyArray<{ name: string; env: InstallEnv }> = [
  { name: "Linux", env: { platform: "linux", homedir: "/home/you", vars: {} } },
  { name: "macOS", env: { platform: "darwin", homedir: "/Users/you", vars: {} } },
  {
    name: "Windows",
    env: {
      platform: "win32",
      homedir: "C:\\Users\\you",
      appData: "C:\\Users\\you\\AppData\\Roaming",
      localAppData: "C:\\Users\\you\\AppData\\Local",
      vars: {},
    },
  },
];

/** Variables a client's path may honour; each is tried on every platform to see whether it does. */
const OVERRIDES: ReadonlyArray<{ name: string; apply: (env: InstallEnv) => InstallEnv }> = [
  { name: "XDG_CONFIG_HOME", apply: (env) => ({ ...env, xdgConfigHome: "/elsewhere" }) },
  ...["CLAUDE_CONFIG_DIR", "CODEX_HOME", "GOOSE_CONFIG_DIR", "FLATPAK_XDG_CONFIG_HOME"].map((name) => ({
    name,
    apply: (env: InstallEnv): InstallEnv => ({ ...env, vars: { ...env.vars, [name]: "/elsewhere" } }),
  })),
];

export function clientsPage(): string {
  const entry = buildServerEntry({ command: "/usr/local/bin/orchestrator", scope: "user" });
  const overview = table(
    ["id", "client", "format", "servers under", "entry shape", "scopes", "project file", "own CLI"],
    CLIENT_IDS.map((id) => {
      const s = clientSpec(id);
      return [
        `[${code(id)}](#${id})`,
        s.label,
        s.format,
        code(s.keyPath.join(".")),
        code(s.shape),
        scopesOf(id).join(", "),
        s.project ? code(s.project) : "—",
        CLIENT_CLIS[id] ? `yes (${CLIENT_CLIS[id]?.scopes.join(", ")})` : "no",
      ];
    }),
  );
  const sections = CLIENT_IDS.map((id) => {
    const s = clientSpec(id);
    const paths = HOMES.map(({ name, env }) => {
      const extra = id === "claude-desktop" ? claudeDesktopCandidates(env).slice(1) : [];
      const main = code(resolveClientPath(id, "user", env));
      return [
        name,
        extra.length > 0 ? `${main} (Microsoft Store build: ${extra.map(code).join(", ")})` : main,
      ];
    });
    const honoured = OVERRIDES.filter(({ apply }) =>
      HOMES.some(
        ({ env }) => resolveClientPath(id, "user", apply(env)) !== resolveClientPath(id, "user", env),
      ),
    ).map((o) => code(`$${o.name}`));
    const notes = [
      s.container === "list" ? "Servers are a list of items with a `name`, not a map." : "",
      s.expandsWorkspaceFolder
        ? // biome-ignore lint/suspicious/noTemplateCurlyInString: the client's own variable, shown literally
          "Project installs pass `--workspace ${workspaceFolder}`, which the client expands."
        : "",
      s.rewritesWhileRunning ? "The app rewrites this file while it runs: quit it before installing." : "",
    ].filter(Boolean);
    return [
      `## ${id}`,
      `**${s.label}** · ${s.format} · servers under ${code(s.keyPath.join("."))} · entry shape ${code(s.shape)}`,
      table(["platform", "user config file"], paths),
      `Project file: ${s.project ? `${(s.projectFiles ?? [s.project]).map(code).join(", ")} in the project folder${s.projectFiles ? ` (highest precedence first; install creates ${code(s.project)})` : ""}` : "none (user scope only)"}.`,
      s.userFiles && id !== "claude-desktop"
        ? `User files it reads, highest precedence first: ${s
            .userFiles(HOMES[0]!.env)
            .map((p) => code(p))
            .join(
              ", ",
            )} (shown for ${HOMES[0]!.name}). Install edits the one holding our entry, else the first that exists, else creates the file above; uninstall removes our entry from each.`
        : "",
      s.local
        ? `Local scope (\`--scope local\`, the default of the client's own \`mcp add\`): the user file, under ${code(s.local.keyPath("<project folder>").join("."))}.`
        : "",
      s.requiredKeys
        ? `The client refuses a file without the top-level ${s.requiredKeys.map(code).join(", ")}: a file install creates starts with ${Object.entries(
            s.newFileKeys ?? {},
          )
            .map(([k, v]) => code(`${k}: ${v}`))
            .join(", ")}, and validate and doctor report a file that lacks them.`
        : "",
      honoured.length > 0 ? `The user path honours ${honoured.join(", ")}.` : "",
      s.cli
        ? `Own command (\`install --via-cli\`): ${code(s.cli)}; it writes the ${CLIENT_CLIS[id]?.scopes.join(", ")} scope${(CLIENT_CLIS[id]?.scopes.length ?? 0) > 1 ? "s" : ""}${(CLIENT_CLIS[id]?.scopes.length ?? 0) < scopesOf(id).length ? ", and `--via-cli` with another scope edits the file instead" : ""}.`
        : "No command of its own: `install` edits the file.",
      ...notes,
    ]
      .filter(Boolean)
      .join("\n\n");
  });
  const shapes = [...new Set(CLIENT_IDS.map((id) => clientSpec(id).shape))] as EntryShape[];
  const shapeSection = [
    "## Entry shapes",
    `What \`orchestrator install\` writes under the servers key, for a user-scope install of \`${entry.command}\` (the entry is named ${code(SERVER_NAME)}). Shown as JSON; TOML and YAML files get the same fields in their own syntax (Codex as the table ${code(`[mcp_servers.${SERVER_NAME}]`)}, Continue as an item of the ${code("mcpServers")} list).`,
    table(
      ["shape", "entry", "clients"],
      shapes.map((shape) => [
        code(shape),
        code(JSON.stringify(shapeEntry(shape, entry, SERVER_NAME))),
        CLIENT_IDS.filter((id) => clientSpec(id).shape === shape).join(", "),
      ]),
    ),
  ].join("\n\n");
  const remote = { url: "https://mcp.example.com/mcp", tokenEnv: "ORCHESTRATOR_TOKEN" };
  const remoteSection = [
    "## Remote entries (`install --url ... --token-env VAR`)",
    `With \`--url\`, install registers a remote \`serve --http\` instead of a local server. A client whose file can take the URL and read the token from an environment variable gets its own remote entry; any other gets a local bridge entry running \`orchestrator connect URL --token-env VAR\` (stdio to Streamable HTTP, built into the binary). Either way the file holds the variable's name, never the token. Shown for ${code(remote.url)} and ${code(`--token-env ${remote.tokenEnv}`)}:`,
    table(
      ["client", "written", "entry"],
      CLIENT_IDS.map((id) => {
        const support = remoteSupport(id);
        const s = clientSpec(id);
        if (support.kind === "direct")
          return [
            code(id),
            `its own remote entry (token from ${code(support.expands)})`,
            code(JSON.stringify(shapeRemoteEntry(support.shape, remote))),
          ];
        const bridge = buildBridgeEntry({ command: entry.command, target: remote });
        return [
          code(id),
          `the bridge: ${support.why}`,
          code(JSON.stringify(shapeEntry(s.shape, bridge, SERVER_NAME))),
        ];
      }),
    ),
    "Codex's entry is the TOML table `[mcp_servers.task-orchestrator]` with `url` and `bearer_token_env_var`. The variable must be set in the environment the client starts from (a desktop app started from the dock does not read your shell profile). `validate` and `doctor` check each remote entry: the URL, the variable, then reachable, TLS, token accepted, handshake, tool count and round-trip time.",
  ].join("\n\n");
  return page(
    "MCP clients",
    "The clients `orchestrator install`, `validate` and `doctor` know, from the table in `src/install/clients.ts` (sources: [clients-sources.md](clients-sources.md)). Paths are shown for a user named `you` with default environment variables; Windows paths assume `%APPDATA%` and `%LOCALAPPDATA%` at their defaults.",
    [overview, shapeSection, remoteSection, ...sections],
  );
}

// ---------------------------------------------------------------------------------------------
