import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { BINARY, callOk } from "./client.ts";
import { storeEnv } from "./test-store.ts";

/** A running `orchestrator ui` of the compiled binary: the URL it printed and its output. */
export interface UiProcess {
  readonly origin: string;
  readonly url: string;
  readonly secret: string;
  readonly port: number;
  readonly home: string;
  readonly child: ChildProcess;
  output(): string;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Runs `ui --no-open --port 0 ...args` with HOME (the secret's folder) at `home`, waiting for the URL line. */
export async function startUi(opts: {
  cwd: string;
  home: string;
  args?: readonly string[];
  env?: Record<string, string>;
  /** Leave out `--no-open` (default: given). */
  open?: boolean;
  /** Leave out `--port 0`: the default port (default: --port 0). */
  defaultPort?: boolean;
}): Promise<UiProcess> {
  const fixed = [...(opts.open ? [] : ["--no-open"]), ...(opts.defaultPort ? [] : ["--port", "0"])];
  const child = spawn(BINARY, ["ui", ...fixed, ...(opts.args ?? [])], {
    cwd: opts.cwd,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: opts.home,
      XDG_STATE_HOME: join(opts.home, "state"),
      ...storeEnv(),
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const exited = new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /Dashboard: (http:\/\/\S+\?secret=[A-Za-z0-9_-]+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    void exited.then((c) => reject(new Error(`ui exited ${c} before its URL:\n${out}`)));
  });
  const u = new URL(url);
  return {
    origin: u.origin,
    url,
    secret: u.searchParams.get("secret") ?? "",
    port: Number(u.port),
    home: opts.home,
    child,
    output: () => out,
    stop: async () => {
      child.kill("SIGTERM");
      return exited;
    },
  };
}

export function tempHome(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "orch-ui-home-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** One server-sent event. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/**
 * Reads a text/event-stream answer event by event. `next` waits for the next event (comments and
 * the retry field are kept in `preamble`), rejecting after `timeoutMs`; `ended` says when the
 * server closed the stream.
 */
export function readEvents(res: Response) {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let ended = false;
  const preamble: string[] = [];
  const pull = async (): Promise<boolean> => {
    const { value, done } = await reader.read();
    if (done) {
      ended = true;
      return false;
    }
    buffer += decoder.decode(value, { stream: true });
    return true;
  };
  const take = (): SseEvent | undefined => {
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end < 0) return undefined;
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data.push(line.slice(6));
        else preamble.push(line);
      }
      if (data.length > 0) return { event, data: data.join("\n") };
    }
  };
  return {
    preamble,
    get ended() {
      return ended;
    },
    async next(timeoutMs = 5_000): Promise<SseEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const e = take();
        if (e) return e;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error("no event in time");
        const more = await Promise.race([
          pull(),
          new Promise<"timeout">((r) => setTimeout(() => r("timeout"), left)),
        ]);
        if (more === "timeout") throw new Error("no event in time");
        if (!more) throw new Error("the stream ended");
      }
    },
    /** Resolves once the server ends the stream (events before the end are dropped). */
    async end(timeoutMs = 10_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!ended) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error("the stream did not end in time");
        const r = await Promise.race([
          pull().catch(() => false),
          new Promise<"timeout">((res) => setTimeout(() => res("timeout"), left)),
        ]);
        if (r === false) ended = true;
      }
    },
    cancel: () => reader.cancel().catch(() => {}),
  };
}

/** Plans `tasks` (title, role, dependencies by title) through MCP in `workspace`; ids by title. */
export async function seedPlan(
  client: Client,
  workspace: string,
  description: string,
  tasks: readonly SeedTask[],
): Promise<{ planId: string; ids: Map<string, string> }> {
  await callOk(client, "orchestrator_initialize_session", { working_directory: workspace });
  const plan = await callOk(client, "orchestrator_plan_task", {
    description,
    subtasks_json: JSON.stringify(tasks.map((t) => ({ description: `Do: ${t.title}`, ...t }))),
  });
  const ids = new Map<string, string>();
  for (const s of plan.subtasks as { task_id: string; title: string }[]) ids.set(s.title, s.task_id);
  return { planId: plan.parent_task_id as string, ids };
}

/** One subtask of a seeded plan, as plan_task takes it. */
export interface SeedTask {
  readonly title: string;
  readonly specialist_type: string;
  readonly description?: string;
  readonly dependencies?: readonly string[];
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

/**
 * Markdown an agent could write to attack whoever reads it (the browser tests and the dev
 * fixtures render it): scripts, handlers, off-origin images and links, frames, forms, styles,
 * an element taking the dashboard's own id, and the formatting that must still render.
 */
export const HOSTILE_MARKDOWN = [
  "# Findings",
  "",
  "Plain **bold** text and a [good link](https://example.com/docs).",
  "",
  "<script>window.__pwned = 'script'</script>",
  '<img src="x" onerror="window.__pwned = \'img\'">',
  '<img src="https://tracker.example/pixel.png" alt="tracker">',
  "[click me](javascript:window.__pwned='link')",
  "<a href=\"javascript:window.__pwned='raw-link'\">raw link</a>",
  '<iframe src="https://evil.example/"></iframe>',
  '<form action="https://evil.example/"><input name="q"></form>',
  '<div style="position:fixed;inset:0" onclick="window.__pwned=\'div\'">overlay</div>',
  '<svg><script>window.__pwned="svg"</script></svg>',
  '<dialog id="confirm" open>fake dialog</dialog>',
  "",
  "| a | b |",
  "|---|---|",
  "| 1 | 2 |",
  "",
  "```ts",
  "const x = 1;",
  "```",
].join("\n");
