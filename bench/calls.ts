/**
 * `bun bench/calls.ts <binary A> <binary B> [rounds]`: issue 16's target 3 for two builds, one
 * call at a time over stdio with the supervisor: the
 * create (plan_task, one subtask) and update (complete_subtask) of bench/versus.ts, on one
 * long-lived connection each, the servers taking turns batch by batch so they share the machine's
 * noise. Prints each server's p50/p99 per round and the medians over rounds. A build may carry
 * serve flags after commas: `dist/orchestrator,--no-supervisor` beside `dist/orchestrator` gives
 * the supervisor's relay cost. The reference server
 * is left out: its calls slow down as its file grows, so only versus.ts's sizes compare with it.
 */
import { percentile } from "../tests/stress/load.ts";
import { oneAtATime, p50p99, round } from "./_util.ts";
import { type BenchServer, orchestrator } from "./servers.ts";

const [a, b, rounds = "5"] = process.argv.slice(2);
if (!a || !b) throw new Error("usage: bun bench/calls.ts <binary A> <binary B> [rounds]");
const BATCH = 200;

const specs = [a, b].map((spec) => spec.split(","));
const servers: BenchServer[] = specs.map(([bin], k) => orchestrator(bin, `${"AB"[k]} ${[a, b][k]}`));
const conns = await Promise.all(servers.map((s, k) => s.connect(specs[k]!.slice(1))));
const perRound = new Map(servers.map((s) => [s.label, [] as { create: number; update: number }[]]));
const all = new Map(servers.map((s) => [s.label, { create: [] as number[], update: [] as number[] }]));
let serial = 0;
try {
  for (let r = 0; r <= Number(rounds); r++) {
    // Each round in the other order, so neither build always runs right after the other.
    const order = servers.map((s, k) => ({ s, k }));
    if (r % 2 === 1) order.reverse();
    for (const { s, k } of order) {
      const client = conns[k]!.client;
      const ids: string[] = [];
      const creates = await oneAtATime(BATCH, async () => ids.push(await s.create(client, serial++)));
      const updates = await oneAtATime(BATCH, (i) => s.update(client, ids[i]!, i));
      if (r === 0) continue; // the first round warms up
      const c = p50p99(creates);
      const u = p50p99(updates);
      perRound.get(s.label)!.push({ create: c.p50, update: u.p50 });
      all.get(s.label)!.create.push(...creates);
      all.get(s.label)!.update.push(...updates);
      console.log(JSON.stringify({ round: r, server: s.label, create: c, update: u }));
    }
  }
} finally {
  await Promise.all(conns.map((c) => c.close()));
  for (const s of servers) s.dispose();
}
for (const s of servers) {
  const rs = perRound.get(s.label)!;
  const med = (xs: number[]) => round(percentile(xs, 50), 3);
  console.log(
    JSON.stringify({
      server: s.label,
      rounds: rs.length,
      create_p50_median: med(rs.map((x) => x.create)),
      update_p50_median: med(rs.map((x) => x.update)),
      create_all: p50p99(all.get(s.label)!.create),
      update_all: p50p99(all.get(s.label)!.update),
    }),
  );
}
