import { existsSync } from "node:fs";
import { claudeDesktopCandidates, clientSpec } from "../../install/clients.ts";
import { isRunning } from "../../install/running.ts";
import type { DoctorContext } from "../context.ts";
import { type Finding, ok, warn } from "../report.ts";

/** Client UIs whose MCP output is not a file: where to look in the app. */
const UI_LOGS = [
  "VS Code: Command Palette → 'MCP: List Servers' → task-orchestrator → Show Output",
  "Cursor: Output panel → 'MCP Logs'",
  "Claude Code: 'claude --debug', or /mcp inside a session",
  "Zed: 'zed: open log' from the command palette",
];

/** PATH, colours, a running Claude Desktop, and where each client logs. */
export function checkEnvironment(ctx: DoctorContext): Finding[] {
  const out: Finding[] = [];
  const { vars } = ctx.env;
  out.push(
    vars.PATH
      ? ok(
          "environment",
          "environment.path",
          "PATH",
          `${vars.PATH.split(ctx.env.platform === "win32" ? ";" : ":").length} folders`,
        )
      : warn(
          "environment",
          "environment.path",
          "PATH",
          "PATH is empty",
          "Clients start servers with a small environment; entries must use absolute paths ('orchestrator install' writes them).",
        ),
  );
  out.push(
    ok(
      "environment",
      "environment.color",
      "Colours",
      vars.NO_COLOR
        ? "off (NO_COLOR is set)"
        : "on when printing to a terminal (set NO_COLOR to turn them off)",
    ),
  );
  const claudeConfig = ctx.clients.includes("claude-desktop")
    ? claudeDesktopCandidates(ctx.install).find((p) => existsSync(p))
    : undefined;
  if (claudeConfig) {
    const running = isRunning(ctx.install.platform, ["claude", "claude.exe", "Claude"]);
    out.push(
      running
        ? warn(
            "environment",
            "environment.claude_desktop",
            "Claude Desktop running",
            "Claude Desktop is running: it read its config at start and rewrites the file while it runs",
            "Quit Claude Desktop completely (not just the window), re-run 'orchestrator install --client claude-desktop' if the entry is gone, then start it.",
          )
        : ok(
            "environment",
            "environment.claude_desktop",
            "Claude Desktop running",
            "no (safe to edit its config)",
          ),
    );
  }
  const logDirs = ctx.clients.flatMap((id) => {
    const logs = clientSpec(id).logs;
    return logs
      ? logs(ctx.install)
          .filter((p) => existsSync(p))
          .map((p) => `${clientSpec(id).label}: ${p}`)
      : [];
  });
  out.push(ok("environment", "environment.logs", "Where to look next", [...logDirs, ...UI_LOGS].join("; ")));
  return out;
}
