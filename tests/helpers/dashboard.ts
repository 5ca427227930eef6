import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { BINARY, callOk } from "./client.ts";
import { storeEnv } from "./test-store.ts";

/** A running `orchestrator ui`: its origin, the URL it printed (with the secret), its output. */
export interface RunningDashboard {
  readonly origin: string;
  /** The URL `ui` printed, secret included. */
  readonly url: string;
  readonly secret: string;
  readonly process: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
}

/**
 * Starts the compiled binary's `orchestrator ui --no-open --port 0` with `args` and waits for the
 * URL line. HOME and XDG_STATE_HOME point at a private folder (the secret file lives there).
 */
export async function startDashboard(opts: {
  cwd: string;
  args?: readonly string[];
  env?: Record<string, string>;
  /** A home folder to reuse (a restart keeps the secret); default a fresh one removed by stop. */
  home?: string;
}): Promise<RunningDashboard> {
  const home = opts.home ?? mkdtempSync(join(tmpdir(), "orch-ui-home-"));
  const child = spawn(BINARY, ["ui", "--no-open", "--port", "0", ...(opts.args ?? [])], {
    cwd: opts.cwd,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: home,
      XDG_STATE_HOME: join(home, ".local", "state"),
      ...storeEnv(),
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /(https?:\/\/[^\s]+[?&]secret=[A-Za-z0-9_-]+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`orchestrator ui exited ${code} before its URL:\n${out}`)));
  });
  const parsed = new URL(url);
  return {
    origin: parsed.origin,
    url,
    secret: parsed.searchParams.get("secret") ?? "",
    process: child,
    output: () => out,
    stop: async () => {
      const exited =
        child.exitCode !== null
          ? Promise.resolve(child.exitCode)
          : new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
      child.kill("SIGTERM");
      const code = await exited;
      if (!opts.home) rmSync(home, { recursive: true, force: true });
      return code;
    },
  };
}

/** One subtask of a seeded plan, as plan_task takes it. */
export interface SeedTask {
  readonly title: string;
  readonly specialist_type: string;
  readonly description?: string;
  readonly dependencies?: readonly string[];
}

/** Plans `tasks` in `workspace` through MCP and returns the plan id and task ids by title. */
export async function seedPlan(
  client: Client,
  workspace: string,
  description: string,
  tasks: readonly SeedTask[],
): Promise<{ planId: string; ids: Map<string, string> }> {
  await callOk(client, "orchestrator_initialize_session", { working_directory: workspace });
  const plan = await callOk(client, "orchestrator_plan_task", {
    description,
    subtasks_json: JSON.stringify(tasks),
  });
  const ids = new Map<string, string>();
  for (const s of plan.subtasks as { task_id: string; title: string }[]) ids.set(s.title, s.task_id);
  return { planId: plan.parent_task_id as string, ids };
}

/** A plan of `n` subtasks, each depending on one or two earlier ones (a wide, deep DAG). */
export function widePlan(n: number): SeedTask[] {
  const roles = ["architect", "implementer", "tester", "reviewer", "documenter", "researcher"];
  const tasks: SeedTask[] = [];
  for (let i = 0; i < n; i++) {
    const deps: string[] = [];
    if (i > 0) deps.push(`Task ${Math.floor((i - 1) / 2)}`);
    if (i > 3 && i % 3 === 0) deps.push(`Task ${i - 3}`);
    tasks.push({
      title: `Task ${i}`,
      specialist_type: roles[i % roles.length] ?? "implementer",
      description: `Step ${i} of the job`,
      dependencies: [...new Set(deps)],
    });
  }
  return tasks;
}
