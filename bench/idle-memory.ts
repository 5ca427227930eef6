/**
 * Idle memory of `serve`'s two processes, binaries interleaved round by round (issue 16, target 6).
 * Each start: spawn `<binary> serve` with the SDK client over stdio, call get_status once, wait,
 * then read /proc/<pid>/status of the supervisor and its worker: VmRSS split into anonymous
 * (heaps), file-backed (the mapped binary, SQLite's memory map) and shared memory.
 * Usage: bun bench/idle-memory.ts [rounds] <binary> [<binary> ...]   (default: dist/orchestrator)
 * IDLE_WAIT_MS (default 11000: past the release of code pages 10 s after the last input): how long after the call memory is read.
 * Extra worker/supervisor arguments go after `--`, e.g. `-- --no-supervisor`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { IDLE_AFTER_MS } from "./_util.ts";

interface Mem {
  rss: number;
  /** Proportional set size: shared pages divided among the processes mapping them. */
  pss: number;
  anon: number;
  file: number;
  shmem: number;
}

const mib = (kb: number): number => Math.round((kb / 1024) * 10) / 10;

function memOf(pid: number): Mem {
  const s = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k: string): number => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
  let pss = 0;
  try {
    pss = Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))?.[1] ?? 0);
  } catch {
    // smaps_rollup needs Linux 4.14: RSS alone then.
  }
  return {
    rss: mib(kb("VmRSS")),
    pss: mib(pss),
    anon: mib(kb("RssAnon")),
    file: mib(kb("RssFile")),
    shmem: mib(kb("RssShmem")),
  };
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

async function once(binary: string, extra: string[]): Promise<{ sup: Mem; worker?: Mem }> {
  const ws = mkdtempSync(join(tmpdir(), "orch-mem-"));
  mkdirSync(join(ws, ".git"));
  const transport = new StdioClientTransport({
    command: binary,
    args: ["serve", "--workspace", ws, ...extra],
    stderr: "inherit",
    // The whole environment, so BUN_* and JSC knobs under test reach both processes.
    env: process.env as Record<string, string>,
  });
  const client = new Client({ name: "idle-memory", version: "1" });
  await client.connect(transport);
  try {
    await client.listTools();
    const r = await client.callTool({ name: "orchestrator_get_status", arguments: {} });
    if (r.isError) throw new Error(JSON.stringify(r.content));
    await new Promise((res) => setTimeout(res, WAIT_MS));
    const pid = transport.pid!;
    const sup = memOf(pid);
    const w = childrenOf(pid)[0];
    return w === undefined ? { sup } : { sup, worker: memOf(w) };
  } finally {
    await client.close();
    rmSync(ws, { recursive: true, force: true });
  }
}

/** How long after the call memory is read: past the JIT policy's restore (1 s after start). */
const WAIT_MS = Number(process.env.IDLE_WAIT_MS ?? IDLE_AFTER_MS);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor((s.length - 1) / 2)]!;
};

const argv = process.argv.slice(2);
const dash = argv.indexOf("--");
const extra = dash >= 0 ? argv.slice(dash + 1) : [];
const pos = dash >= 0 ? argv.slice(0, dash) : argv;
const rounds = /^\d+$/.test(pos[0] ?? "") ? Number(pos.shift()) : 7;
const binaries = pos.length > 0 ? pos : ["dist/orchestrator"];
const samples = new Map(binaries.map((b) => [b, [] as { sup: Mem; worker?: Mem }[]]));
for (let r = 0; r < rounds; r++) {
  for (const b of binaries) samples.get(b)!.push(await once(b, extra));
}
const summary = (ms: Mem[]): string => {
  if (ms.length === 0) return "-";
  const f = (k: keyof Mem): string => {
    const xs = ms.map((m) => m[k]);
    return `${median(xs)} (${Math.min(...xs)}–${Math.max(...xs)})`;
  };
  return `rss ${f("rss")}  pss ${f("pss")}  anon ${f("anon")}  file ${f("file")}`;
};
for (const [b, ss] of samples) {
  process.stdout.write(`${b}  (${rounds} starts, MiB, median (min–max))\n`);
  process.stdout.write(`  supervisor: ${summary(ss.map((s) => s.sup))}\n`);
  process.stdout.write(`  worker:     ${summary(ss.flatMap((s) => (s.worker ? [s.worker] : [])))}\n`);
}
