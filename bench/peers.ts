/**
 * `bun run bench:peers` (`--quick` for a fast smoke): ours beside every peer issue 16 names, in
 * one interleaved run through the official SDK client over stdio: the reference
 * @modelcontextprotocol/server-memory, Task Master and Shrimp Task Manager (versions pinned
 * below). Issue 16's "done means" is relative to all of them: a client ready sooner, a model
 * paying less context, every call faster, nothing acknowledged lost. `bun run bench` keeps the
 * targets' ratios to the reference alone; this adds the task servers, whose closest calls are
 * named in bench/servers.ts.
 *
 * The peers are installed once from npm into a cache (ORCHESTRATOR_PEERS_CACHE, default
 * ~/.cache/orchestrator-bench-peers; ~1.4 GB, about 1.5 minutes): Task Master brings every AI
 * provider's SDK. Not part of the tests: it prints numbers and writes bench/peers-results.json
 * (`--quick`: a temp file).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { hasPinned, npmInstallInto } from "../scripts/_npm-install.ts";
import { percentile } from "../tests/stress/load.ts";
import { IN_FLIGHT, oneAtATime, round } from "./_util.ts";
import { settleDisk } from "./disk.ts";
import { machineRecord, speedProbe } from "./machine.ts";
import { type BenchServer, orchestrator, serverMemory, shrimp, taskMaster } from "./servers.ts";
import { contextBytes, type Side, sideBySide } from "./versus.ts";

/** The peers, pinned: the versions issue 16 measured. */
const PEERS = { "task-master-ai": "0.43.1", "mcp-shrimp-task-manager": "1.0.21" } as const;
/** Items each server holds when its list is read (issue 16: "a list of 200 tasks"). */
const LIST_ITEMS = 200;
const LIST_CALLS = 20;

const quick = process.argv.includes("--quick");
const opts = quick
  ? { readyRuns: 3, calls: 100, loadCalls: 200 }
  : { readyRuns: 10, calls: 500, loadCalls: 1000 };

/** The peers' install folder: the cache, installed there first when it is missing or stale. */
function installedPeers(): string {
  const pins = Object.entries(PEERS).map(([name, version]) => `${name}@${version}`);
  const root = process.env.ORCHESTRATOR_PEERS_CACHE ?? join(homedir(), ".cache", "orchestrator-bench-peers");
  const dir = join(root, pins.join("+"));
  const installed = () => Object.entries(PEERS).every(([name, version]) => hasPinned(dir, name, version));
  if (!installed()) {
    const t0 = performance.now();
    process.stderr.write(`peers: installing ${pins.join(", ")} into ${dir} (once; ~1.4 GB)\n`);
    const r = npmInstallInto(dir, pins);
    if (!r.ok || !installed()) {
      const why = r.ok ? "the install finished but a pinned version is missing" : r.error;
      process.stderr.write(`peers: npm install failed (is the npm registry reachable?):\n${why}\n`);
      process.exit(1);
    }
    process.stderr.write(`peers: installed in ${Math.round((performance.now() - t0) / 1000)} s\n`);
  }
  return join(dir, "node_modules");
}

/** With LIST_ITEMS items stored, one list call at a time: p50 and the answer's size. */
async function listFigures(server: BenchServer): Promise<{ p50_ms: number; answer_bytes: number }> {
  const c = await server.connect();
  try {
    await oneAtATime(LIST_ITEMS, (i) => server.create(c.client, 1_000_000 + i));
    let bytes = 0;
    const times = await oneAtATime(LIST_CALLS, async () => {
      bytes = Buffer.byteLength(JSON.stringify(await server.list(c.client as Client)));
    });
    return { p50_ms: round(percentile(times.slice(2), 50), 3), answer_bytes: bytes };
  } finally {
    await c.close();
  }
}

const modules = installedPeers();
const disk = await settleDisk();
const speedAtStart = speedProbe();
const started = new Date().toISOString();
const make = (): BenchServer[] => [
  orchestrator(),
  serverMemory(),
  taskMaster(join(modules, "task-master-ai")),
  shrimp(join(modules, "mcp-shrimp-task-manager")),
];
const servers = make();
const listServers = make();
let sides: Map<string, Side>;
let context: Record<string, ReturnType<typeof contextBytes>>;
const lists: Record<string, { p50_ms: number; answer_bytes: number }> = {};
try {
  const measured = await sideBySide(servers, opts);
  sides = measured.sides;
  context = Object.fromEntries([...measured.lists].map(([label, tools]) => [label, contextBytes(tools)]));
  for (const s of listServers) lists[s.label] = await listFigures(s);
  process.stderr.write(`peers: lists of ${LIST_ITEMS} measured\n`);
} finally {
  for (const s of [...servers, ...listServers]) s.dispose();
}

const labels = servers.map((s) => s.label);
const [ours, ...peers] = labels as [string, ...string[]];
type Pick = (label: string) => number;
const rows: { what: string; pick: Pick; better: "lower" | "higher" }[] = [
  { what: "ready: spawn → tools/list, median ms", pick: (l) => sides.get(l)!.ready_ms, better: "lower" },
  { what: "tools/list compact B", pick: (l) => context[l]!.tools_list, better: "lower" },
  { what: "names+descriptions+inputs B", pick: (l) => context[l]!.model, better: "lower" },
  { what: "create p50 ms", pick: (l) => sides.get(l)!.create_ms.p50, better: "lower" },
  { what: "create p99 ms", pick: (l) => sides.get(l)!.create_ms.p99, better: "lower" },
  { what: "update p50 ms", pick: (l) => sides.get(l)!.update_ms.p50, better: "lower" },
  { what: "update p99 ms", pick: (l) => sides.get(l)!.update_ms.p99, better: "lower" },
  { what: `creates/s, ${IN_FLIGHT} in flight`, pick: (l) => sides.get(l)!.create_per_s, better: "higher" },
  { what: `updates/s, ${IN_FLIGHT} in flight`, pick: (l) => sides.get(l)!.update_per_s, better: "higher" },
  { what: "writes lost under load", pick: (l) => sides.get(l)!.lost, better: "lower" },
  { what: `list of ${LIST_ITEMS}: p50 ms`, pick: (l) => lists[l]!.p50_ms, better: "lower" },
  { what: `list of ${LIST_ITEMS}: answer B`, pick: (l) => lists[l]!.answer_bytes, better: "lower" },
  { what: "idle RSS MiB", pick: (l) => sides.get(l)!.idle_rss_mib, better: "lower" },
];
const table = rows.map(({ what, pick, better }) => {
  const values = Object.fromEntries(labels.map((l) => [l, pick(l)]));
  const peerValues = peers.map(pick);
  const best = better === "lower" ? Math.min(...peerValues) : Math.max(...peerValues);
  const mine = pick(ours);
  const ahead = better === "lower" ? mine <= best : mine >= best;
  return {
    what,
    ...values,
    best_peer: best,
    "ours ÷ best peer": best === 0 ? (mine === 0 ? "=" : "∞") : `${round(mine / best, 2)}×`,
    ahead: ahead ? "yes" : "NO",
  };
});
console.table(table);
const notes = labels.flatMap((l) => {
  const s = sides.get(l)!;
  return [
    ...(s.failed_creates > 0 ? [`${l}: ${s.failed_creates} creates answered with an error under load`] : []),
    ...(s.failed_updates > 0 ? [`${l}: ${s.failed_updates} updates answered with an error under load`] : []),
  ];
});
for (const n of notes) console.log(n);

const results = {
  started,
  machine: machineRecord(disk, speedAtStart),
  quick,
  peers: {
    ...PEERS,
    "@modelcontextprotocol/server-memory": JSON.parse(
      readFileSync(
        join(import.meta.dir, "..", "node_modules", "@modelcontextprotocol", "server-memory", "package.json"),
        "utf8",
      ),
    ).version,
  },
  options: { ...opts, in_flight: IN_FLIGHT, list_items: LIST_ITEMS, list_calls: LIST_CALLS },
  sides: Object.fromEntries(sides),
  context,
  lists,
  table,
};
const out = quick
  ? join(tmpdir(), "orchestrator-peers-quick.json")
  : join(import.meta.dir, "peers-results.json");
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`wrote ${out}`);
