import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { call, callOk, textOf } from "./client.ts";
import { connectHttp } from "./http-server.ts";

/** What a team load saw: every call's outcome and latency, and who completed which task. */
export interface TeamLoadResult {
  /** Calls answered without an error (NO_READY_TASK at the end of the work counts as answered). */
  readonly calls: number;
  /** Every failed call: a thrown transport error or an error result other than NO_READY_TASK. */
  readonly failures: string[];
  /** Task ids completed, per agent (the token's name). */
  readonly completed: Map<string, string[]>;
  /** Milliseconds per call, in the order they finished. */
  readonly latencies: number[];
  readonly seconds: number;
}

/**
 * Plans `tasks` subtasks (in plans of at most 400) and has one SDK client per token claim
 * (execute_subtask without a task id: the server picks) and complete tasks until none is ready.
 * `onProgress` is called after each completion with the number done so far, so a caller can act
 * in the middle (restart an instance) on an event rather than after a sleep.
 */
export async function runTeamLoad(o: {
  readonly urls: readonly string[];
  readonly tokens: ReadonlyMap<string, string>;
  readonly workspace: string;
  readonly tasks: number;
  readonly onProgress?: (done: number) => void;
}): Promise<TeamLoadResult> {
  const ws = { working_directory: o.workspace };
  const names = [...o.tokens.keys()];
  const clients = new Map<string, Client>();
  for (const [i, name] of names.entries()) {
    const url = o.urls[i % o.urls.length] as string;
    clients.set(name, await connectHttp(url, o.tokens.get(name), name));
  }
  const planner = clients.get(names[0] as string) as Client;
  for (let made = 0; made < o.tasks; made += 400) {
    const n = Math.min(400, o.tasks - made);
    await callOk(planner, "orchestrator_plan_task", {
      ...ws,
      description: `team load, tasks ${made + 1} to ${made + n}`,
      subtasks: Array.from({ length: n }, (_, i) => ({
        title: `task ${made + i + 1}`,
        specialist_type: "implementer",
      })),
    });
  }
  const failures: string[] = [];
  const latencies: number[] = [];
  const completed = new Map<string, string[]>(names.map((n) => [n, []]));
  let calls = 0;
  let done = 0;
  const timed = async (c: Client, tool: string, args: Record<string, unknown>) => {
    const t0 = performance.now();
    try {
      return await call(c, tool, args);
    } finally {
      latencies.push(performance.now() - t0);
      calls++;
    }
  };
  const t0 = performance.now();
  await Promise.all(
    names.map(async (name) => {
      const c = clients.get(name) as Client;
      for (;;) {
        try {
          const r = await timed(c, "orchestrator_execute_subtask", ws);
          if (r.isError) {
            if (!textOf(r).includes("NO_READY_TASK")) failures.push(`${name}: ${textOf(r).slice(0, 300)}`);
            return;
          }
          const got = r.structuredContent as { task_id: string; claim: { agent_id: string } };
          if (got.claim.agent_id !== name) failures.push(`${name}: claim held by ${got.claim.agent_id}`);
          const fin = await timed(c, "orchestrator_complete_subtask", {
            ...ws,
            task_id: got.task_id,
            summary: `done by ${name}`,
            detailed_work: "work",
          });
          if (fin.isError) failures.push(`${name}: ${textOf(fin).slice(0, 300)}`);
          else {
            completed.get(name)?.push(got.task_id);
            o.onProgress?.(++done);
          }
        } catch (e) {
          failures.push(`${name}: ${String(e).slice(0, 300)}`);
          calls++;
          // A transport failure would otherwise spin: this agent stops, the others go on.
          return;
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  for (const c of clients.values()) await c.close();
  return { calls, failures, completed, latencies, seconds };
}

/** p-th percentile (0–100) of `xs`, in the same unit. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
