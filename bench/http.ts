/**
 * `serve --http` figures (issue 14): 8 agents, each with its own token and SDK client, claiming
 * and completing tasks (execute_subtask + complete_subtask) until none is left: calls/s and
 * p50/p99 per call with one instance (SQLite; PostgreSQL) and two on one PostgreSQL database
 * (behind nginx when installed, else the agents split between the instances), the front's relay
 * cost (the same load with --no-supervisor), a restart under that load, and cold start → first
 * answer. Run by bench/run.ts; `bun bench/http.ts [--quick]` runs it alone and updates only the
 * `http` part of bench/results.json.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initializeRequest } from "../src/protocol/handshake.ts";
import { type HttpServer, startHttpServer, stderrMatch } from "../tests/helpers/http-server.ts";
import { findNginx, freePort, type Nginx, startNginx } from "../tests/helpers/nginx.ts";
import { createTestDatabase } from "../tests/helpers/postgres.ts";
import { runTeamLoad, type TeamLoadResult } from "../tests/helpers/team-load.ts";
import { agentTokens, BINARY, p50p99, removeAtEnd, round } from "./_util.ts";

const AGENTS = 8;

interface LoadFigures {
  readonly label: string;
  readonly instances: number;
  readonly route: string;
  readonly calls: number;
  readonly calls_per_s: number;
  readonly call_ms: { p50: number; p99: number };
  readonly failed: number;
  readonly lost_or_doubled: number;
}

function figures(
  label: string,
  instances: number,
  route: string,
  tasks: number,
  r: TeamLoadResult,
): LoadFigures {
  const all = [...r.completed.values()].flat();
  return {
    label,
    instances,
    route,
    calls: r.calls,
    calls_per_s: Math.round(r.calls / r.seconds),
    call_ms: p50p99(r.latencies),
    failed: r.failures.length,
    lost_or_doubled: tasks - new Set(all).size + (all.length - new Set(all).size),
  };
}

/** One load against fresh instances; `extra` are more serve flags. */
async function loadOn(o: {
  label: string;
  instances: number;
  db: "sqlite" | string;
  tasks: number;
  extra?: string[];
  viaNginx?: boolean;
  restartMidway?: boolean;
}): Promise<LoadFigures & { restart_ms?: number }> {
  const project = mkdtempSync(join(tmpdir(), "orch-bench-http-"));
  mkdirSync(join(project, ".git"));
  const db = o.db === "sqlite" ? join(project, "team.db") : o.db;
  const toks = agentTokens(project, db, AGENTS);
  const nginxPort = o.viaNginx ? await freePort() : 0;
  const publicUrl = o.viaNginx ? ["--public-url", `http://127.0.0.1:${nginxPort}`] : [];
  const servers: HttpServer[] = [];
  let nginx: Nginx | undefined;
  try {
    for (let i = 0; i < o.instances; i++) {
      servers.push(
        await startHttpServer({ cwd: project, args: ["--db", db, ...publicUrl, ...(o.extra ?? [])] }),
      );
    }
    if (o.viaNginx) {
      nginx = await startNginx({ port: nginxPort, upstreams: servers.map((s) => new URL(s.base).host) });
    }
    const urls = nginx ? [`${nginx.base}/mcp`] : servers.map((s) => s.url);
    let restartMs: number | undefined;
    let restarting: Promise<void> | undefined;
    const result = await runTeamLoad({
      urls,
      tokens: toks,
      workspace: project,
      tasks: o.tasks,
      onProgress: (done) => {
        if (!o.restartMidway || done !== Math.floor(o.tasks / 2)) return;
        const s = servers[0] as HttpServer;
        restarting = (async () => {
          const t0 = performance.now();
          const line = stderrMatch(s, /restarted the HTTP worker/g, 1);
          s.child.kill("SIGHUP");
          await line;
          restartMs = round(performance.now() - t0, 1);
        })();
      },
    });
    await restarting;
    const route = nginx ? "nginx round-robin" : o.instances > 1 ? "agents split between instances" : "direct";
    const f = figures(o.label, o.instances, route, o.tasks, result);
    if (result.failures.length > 0) console.log(`  ${o.label}: first failure: ${result.failures[0]}`);
    return restartMs === undefined ? f : { ...f, restart_ms: restartMs };
  } finally {
    await nginx?.stop();
    for (const s of servers) await s.stop();
    removeAtEnd(project);
  }
}

/** Spawn → `listening` line → the answer to one `initialize` POST, `runs` times. */
async function coldStart(runs: number, extra: string[] = []): Promise<{ median: number; p95: number }> {
  const project = mkdtempSync(join(tmpdir(), "orch-bench-http-cold-"));
  mkdirSync(join(project, ".git"));
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const child = spawn(BINARY, ["serve", "--http", "127.0.0.1:0", ...extra], {
        cwd: project,
        stdio: ["ignore", "ignore", "pipe"],
      });
      const exited = new Promise((resolve) => child.once("exit", resolve));
      const url = await new Promise<string>((resolve, reject) => {
        let err = "";
        child.stderr.on("data", (d: Buffer) => {
          err += d.toString();
          const m = /listening on (http:\/\/\S+\/mcp)/.exec(err);
          if (m?.[1]) resolve(m[1]);
        });
        child.once("exit", () => reject(new Error(err)));
      });
      const r = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify(initializeRequest(1, "bench", "1")),
      });
      await r.text();
      times.push(performance.now() - t0);
      child.kill("SIGTERM");
      await exited;
    }
  } finally {
    removeAtEnd(project);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return {
    median: round(sorted[Math.floor(sorted.length / 2)] as number, 1),
    p95: round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] as number, 1),
  };
}

/**
 * The front's cost per request: `calls` sequential get_status calls (raw POSTs, one keep-alive
 * connection) to one instance with the front and to one without it (--no-supervisor), interleaved
 * in rounds so both see the same machine load.
 */
async function relayCost(calls: number): Promise<Record<string, unknown>> {
  const project = mkdtempSync(join(tmpdir(), "orch-bench-http-relay-"));
  mkdirSync(join(project, ".git"));
  const front = await startHttpServer({ cwd: project, args: ["--workspace", project] });
  const direct = await startHttpServer({ cwd: project, args: ["--workspace", project, "--no-supervisor"] });
  const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
  const body = JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "tools/call",
    params: { name: "orchestrator_get_status", arguments: {} },
  });
  const times = { front: [] as number[], direct: [] as number[] };
  try {
    for (let round = 0; round < 10; round++) {
      for (const [name, s] of [
        ["front", front],
        ["direct", direct],
      ] as const) {
        for (let i = 0; i < calls / 10; i++) {
          const t0 = performance.now();
          await (await fetch(s.url, { method: "POST", headers, body })).text();
          if (round > 0) times[name].push(performance.now() - t0);
        }
      }
    }
  } finally {
    await front.stop();
    await direct.stop();
    removeAtEnd(project);
  }
  const f = p50p99(times.front);
  const d = p50p99(times.direct);
  console.log(
    `get_status one at a time: p50 ${f.p50} ms through the front, ${d.p50} ms without it (relay ${round(f.p50 - d.p50, 3)} ms)`,
  );
  return { front_ms: f, no_supervisor_ms: d, relay_overhead_p50_ms: round(f.p50 - d.p50, 3) };
}

/** Every HTTP figure; prints a table as it goes. */
export async function httpFigures(quick: boolean): Promise<Record<string, unknown>> {
  const tasks = quick ? 200 : 1000;
  const pg = await createTestDatabase();
  const pg2 = await createTestDatabase();
  const pg3 = await createTestDatabase();
  try {
    const nginx = findNginx() !== undefined;
    const loads = [
      await loadOn({ label: "1 instance, SQLite", instances: 1, db: "sqlite", tasks }),
      await loadOn({
        label: "1 instance, SQLite, --no-supervisor",
        instances: 1,
        db: "sqlite",
        tasks,
        extra: ["--no-supervisor"],
      }),
      await loadOn({ label: "1 instance, PostgreSQL", instances: 1, db: pg.url, tasks }),
      await loadOn({ label: "2 instances, PostgreSQL", instances: 2, db: pg2.url, tasks, viaNginx: nginx }),
      await loadOn({
        label: "2 instances, PostgreSQL, one restarted midway",
        instances: 2,
        db: pg3.url,
        tasks,
        viaNginx: nginx,
        restartMidway: true,
      }),
    ];
    console.table(
      loads.map((l) => ({
        load: l.label,
        route: l.route,
        calls: l.calls,
        "calls/s": l.calls_per_s,
        "p50 ms": l.call_ms.p50,
        "p99 ms": l.call_ms.p99,
        failed: l.failed,
        "lost/doubled": l.lost_or_doubled,
      })),
    );
    const relay = await relayCost(quick ? 200 : 1000);
    const runs = quick ? 5 : 15;
    const cold = await coldStart(runs);
    const coldDirect = await coldStart(runs, ["--no-supervisor"]);
    console.log(
      `serve --http cold start → first answer (initialize): median ${cold.median} ms (p95 ${cold.p95}); --no-supervisor ${coldDirect.median} ms`,
    );
    return {
      agents: AGENTS,
      tasks_per_load: tasks,
      nginx: nginx
        ? spawnSync(findNginx() as string, ["-v"], { encoding: "utf8" }).stderr.trim()
        : "not installed",
      loads,
      sequential_get_status: relay,
      cold_start_to_first_answer_ms: cold,
      cold_start_to_first_answer_no_supervisor_ms: coldDirect,
    };
  } finally {
    await pg.drop();
    await pg2.drop();
    await pg3.drop();
  }
}

if (import.meta.main) {
  const quick = process.argv.includes("--quick");
  const http = await httpFigures(quick);
  if (!quick) {
    const file = join(import.meta.dir, "results.json");
    const results = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    writeFileSync(
      file,
      `${JSON.stringify({ ...results, http: { measured: new Date().toISOString(), ...http } }, null, 2)}\n`,
    );
    console.log(`updated the http part of ${file}`);
  }
  process.exit(0);
}
