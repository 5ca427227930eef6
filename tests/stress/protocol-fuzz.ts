/**
 * Protocol fuzzer: thousands of malformed or hostile tool calls (wrong types, huge strings, deep
 * nesting, unicode and NUL bytes, path traversal in ids and file_paths, SQL-looking strings) to
 * the compiled server over stdio with the SDK client. Every call is built to be invalid, so
 * every answer must be an isError result with a readable message, the store must not change,
 * and the same worker must still be healthy at the end.
 * Used by tests/e2e/protocol-fuzz.test.ts (fast) and scripts/stress.ts (full).
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { BINARY } from "../helpers/client.ts";
import { prng } from "../helpers/config-corpus.ts";
import { fingerprint } from "../helpers/fingerprint.ts";
import { rawServer } from "../helpers/raw-server.ts";
import { storeEnv } from "../helpers/test-store.ts";

export interface FuzzReport {
  calls: number;
  errorResults: number;
  notError: string[];
  protocolErrors: string[];
  unclear: string[];
  storeUnchanged: boolean;
  healthyAfter: boolean;
  sameWorker: boolean;
  byTool: Record<string, number>;
}

type Rand = () => number;
type Args = Record<string, unknown>;

const HOSTILE_STRINGS = [
  "../../../../etc/passwd",
  "..\\..\\..\\Windows\\System32\\config\\SAM",
  "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
  "'; DROP TABLE tasks; --",
  '" OR 1=1 --',
  "\u0000\u0001\u0002",
  "🧨💥🔥".repeat(50),
  "\u202Eevil\u202C",
  "ＡＢＣ全角",
  "$(rm -rf ~)",
  "`reboot`",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal a client might expand
  "${workspaceFolder}",
  "<script>alert(1)</script>",
  "C:\\",
  "/",
  "~",
  "\n\r\t",
  " ",
];

function pick<T>(r: Rand, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)] as T;
}

function deep(n: number): unknown {
  let v: unknown = "bottom";
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { nest: v };
  return v;
}

/** A value of the wrong kind for a string field. */
function notAString(r: Rand): unknown {
  return pick(r, [
    42,
    -1,
    3.14,
    true,
    null,
    [],
    ["a"],
    { a: 1 },
    deep(200),
    { __proto__: { polluted: true } },
  ]);
}

/** A string id no task has: hostile text, a huge string, or a plausible but unknown id. */
function badId(r: Rand): string {
  const roll = r();
  if (roll < 0.5) return pick(r, HOSTILE_STRINGS);
  if (roll < 0.6) return "x".repeat(100_000 + Math.floor(r() * 900_000));
  return `missing_${Math.floor(r() * 1e9).toString(36)}`;
}

/** An argument that is invalid for `field` of any tool: wrong type, or a hostile string. */
function badValue(r: Rand): unknown {
  return r() < 0.5 ? notAString(r) : badId(r);
}

/** One invalid call for `tool`; `real` holds ids of tasks that exist, to aim some calls at them. */
function hostileCall(r: Rand, tool: string, real: { taskId: string; planId: string }): Args {
  const extra =
    r() < 0.2 ? { [pick(r, ["__proto__", "constructor", "💥", "a".repeat(1000)])]: badValue(r) } : {};
  switch (tool) {
    case "orchestrator_initialize_session":
    case "orchestrator_health_check":
      return {
        working_directory:
          r() < 0.5
            ? notAString(r)
            : pick(r, ["/definitely/not/here", "../../../../nope", "/etc/passwd", "\u0000"]),
        ...extra,
      };
    case "orchestrator_plan_task":
      return pick(r, [
        { description: notAString(r), subtasks: [{ title: "a", specialist_type: "tester" }] },
        { description: "d", subtasks: [] },
        { description: "d", subtasks: [{ title: "x".repeat(600), specialist_type: "tester" }] },
        { description: "d", subtasks: [{ title: "a", specialist_type: pick(r, HOSTILE_STRINGS) }] },
        { description: "d", subtasks: [{ title: "a", specialist_type: "tester", dependencies: ["a"] }] },
        {
          description: "d",
          subtasks: [
            { title: "a", specialist_type: "tester", dependencies: ["b"] },
            { title: "b", specialist_type: "tester", dependencies: ["a"] },
          ],
        },
        {
          description: "d",
          subtasks_json: pick(r, ["[{", "not json", '{"subtasks": 5}', JSON.stringify(deep(300))]),
        },
        { description: "d", subtasks: deep(150) },
        {
          description: "d",
          subtasks: [{ title: "a", specialist_type: "tester", task_id: pick(r, HOSTILE_STRINGS) }],
        },
      ]) as Args;
    case "orchestrator_execute_subtask":
      return pick(r, [
        { task_id: badId(r) },
        { task_id: notAString(r) },
        { task_id: real.taskId, agent_id: notAString(r) },
        { specialist_type: pick(r, HOSTILE_STRINGS), parent_task_id: badId(r) },
      ]) as Args;
    case "orchestrator_complete_subtask":
      return pick(r, [
        { task_id: badId(r), summary: "s", detailed_work: "w" },
        {
          task_id: real.taskId,
          summary: "s",
          detailed_work: "w",
          file_paths: [pick(r, HOSTILE_STRINGS.slice(0, 3)), "/etc/shadow"],
        },
        { task_id: real.taskId, summary: notAString(r), detailed_work: "w" },
        { task_id: real.taskId, summary: "s", detailed_work: "w", next_action: pick(r, HOSTILE_STRINGS) },
        { task_id: real.taskId, summary: "s", detailed_work: deep(100) },
      ]) as Args;
    case "orchestrator_synthesize_results":
      return { parent_task_id: badValue(r), ...extra };
    case "orchestrator_get_status":
      return pick(r, [
        { limit: pick(r, [-1, 0, 1e12, "ten", 2.5]) },
        { include_completed: pick(r, ["yes", 1, null]) },
        { parent_task_id: badId(r) },
      ]) as Args;
    case "orchestrator_maintenance_coordinator":
      return { action: pick(r, [...HOSTILE_STRINGS, "scan_cleanup ", "SCAN_CLEANUP", 7]), ...extra };
    case "orchestrator_get_task":
      return { task_id: badValue(r) };
    case "orchestrator_get_artifact":
      return pick(r, [{ artifact_id: badValue(r) }, { artifact_id: "art_missing", offset: -5 }]) as Args;
    case "orchestrator_query_tasks":
      return pick(r, [
        { status: [pick(r, HOSTILE_STRINGS)] },
        { limit: pick(r, [-1, 0, 1e9, "all"]) },
        { offset: -3 },
        { created_after: pick(r, ["yesterday", "'; DROP TABLE tasks; --", "2026-13-45"]) },
        { specialist_type: pick(r, [42, [42], [null], { a: 1 }, [deep(50)]]) },
      ]) as Args;
    case "orchestrator_update_task":
      return pick(r, [
        { task_id: badId(r), title: "t" },
        { task_id: real.taskId, dependencies: [real.taskId] },
        { task_id: real.taskId, status: pick(r, HOSTILE_STRINGS) },
        { task_id: real.taskId, title: "x".repeat(1000) },
      ]) as Args;
    case "orchestrator_cancel_task":
      return { task_id: badValue(r), reason: pick(r, HOSTILE_STRINGS) };
    case "orchestrator_delete_task":
      return pick(r, [
        { task_id: badValue(r) },
        { task_id: badId(r), archive_instead: false, force: true },
      ]) as Args;
    default:
      return { nonsense: badValue(r) };
  }
}

export async function runProtocolFuzz(opts: {
  workspace: string;
  seed: number;
  calls: number;
}): Promise<FuzzReport> {
  const r = prng(opts.seed);
  const transport = new StdioClientTransport({
    command: BINARY,
    args: ["serve", "--workspace", opts.workspace],
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...storeEnv() },
    stderr: "ignore",
  });
  const client = new Client({ name: "fuzz", version: "1" });
  await client.connect(transport);
  const report: FuzzReport = {
    calls: 0,
    errorResults: 0,
    notError: [],
    protocolErrors: [],
    unclear: [],
    storeUnchanged: false,
    healthyAfter: false,
    sameWorker: false,
    byTool: {},
  };
  try {
    // Real data to aim at, and the output validation a real client does (tools listed first).
    const tools = (await client.listTools()).tools.map((t) => t.name);
    const plan = await client.callTool({
      name: "orchestrator_plan_task",
      arguments: { description: "fuzz target", subtasks: [{ title: "target", specialist_type: "tester" }] },
    });
    const sc = plan.structuredContent as { parent_task_id: string; subtasks: { task_id: string }[] };
    const real = { taskId: sc.subtasks[0]?.task_id ?? "", planId: sc.parent_task_id };
    const before = await client.callTool({ name: "orchestrator_health_check", arguments: {} });
    const pid = (before.structuredContent as { server: { pid: number } }).server.pid;
    const print = fingerprint(opts.workspace);

    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < opts.calls) {
        next++;
        const tool = pick(r, tools);
        const args = hostileCall(r, tool, real);
        report.byTool[tool] = (report.byTool[tool] ?? 0) + 1;
        report.calls++;
        try {
          const res = await client.callTool({ name: tool, arguments: args }, undefined, { timeout: 30_000 });
          const text = (res.content as { type: string; text?: string }[])[0]?.text ?? "";
          if (!res.isError) {
            if (report.notError.length < 20)
              report.notError.push(`${tool} ${JSON.stringify(args).slice(0, 200)}`);
          } else {
            report.errorResults++;
            // Every refusal, the SDK's schema check included, starts with a stable code and says what to do.
            if ((!/^[A-Z_]+: \S/.test(text) || !text.includes("What to do:")) && report.unclear.length < 20)
              report.unclear.push(`${tool}: ${text.slice(0, 200)}`);
          }
        } catch (e) {
          if (report.protocolErrors.length < 20)
            report.protocolErrors.push(
              `${tool} ${JSON.stringify(args).slice(0, 150)}: ${(e as Error).message.slice(0, 200)}`,
            );
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    report.storeUnchanged = fingerprint(opts.workspace) === print;
    const after = await client.callTool({ name: "orchestrator_health_check", arguments: {} });
    const health = after.structuredContent as { healthy: boolean; server: { pid: number } };
    report.healthyAfter = !after.isError && health.healthy;
    report.sameWorker = health.server.pid === pid;
  } finally {
    await client.close();
  }
  return report;
}

export interface EnvelopeReport {
  lines: number;
  /** Lines that got exactly the answer JSON-RPC 2.0 prescribes. */
  rightAnswers: number;
  wrong: string[];
  oversized: number;
  healthyAfter: boolean;
  sameWorker: boolean;
}

/** What a malformed line must be answered with: its JSON-RPC error code and the id to echo. */
interface EnvelopeCase {
  readonly line: string | Buffer;
  readonly code: number | null;
  readonly id: number | null;
}

/** Artifact limit for the envelope run: the request limit becomes 6 × 64 KiB + 1 MiB. */
const ENVELOPE_ARTIFACT_LIMIT = 64 * 1024;
const ENVELOPE_LINE_LIMIT = 6 * ENVELOPE_ARTIFACT_LIMIT + 1024 * 1024;

function envelopeCase(r: Rand, id: number): EnvelopeCase {
  const list = '"method":"tools/list"';
  const garbage = pick(r, ["", "{", '"', "}}}", "\u0000", "💥", "nul", "[1,"]);
  const cases: (() => EnvelopeCase)[] = [
    () => ({ line: `{"id":${id},${list}}`, code: -32600, id }),
    () => ({ line: `{"jsonrpc":"1.0","id":${id},${list}}`, code: -32600, id }),
    () => ({ line: `{"jsonrpc":2,"id":${id},${list}}`, code: -32600, id }),
    () => ({ line: `{"jsonrpc":"2.0","id":${id},${list},"params":[1,2]}`, code: -32600, id }),
    () => ({ line: `{"jsonrpc":"2.0","id":${id},${list},"params":"x"}`, code: -32600, id }),
    () => ({ line: `{"jsonrpc":"2.0","id":${id}.5,${list}}`, code: -32600, id: null }),
    () => ({ line: `{"jsonrpc":"2.0","id":{"n":${id}},${list}}`, code: -32600, id: null }),
    () => ({ line: `[{"jsonrpc":"2.0","id":${id},${list}}]`, code: -32600, id: null }),
    () => ({ line: `{"jsonrpc":"2.0","id":${id},${garbage}`, code: -32700, id: null }),
    () => ({ line: `{"jsonrpc":"2.0","id":${id},"method":${id}}`, code: -32600, id }),
    () => ({
      line: `{"jsonrpc":"2.0","id":${id},${list},"${pick(r, ["param", "extra", "__proto__"])}":1}`,
      code: -32600,
      id,
    }),
    () => ({
      line: `{"jsonrpc":"2.0","id":${id},${list},"params":{"_meta":{"progressToken":[1]}}}`,
      code: -32600,
      id,
    }),
    // Well-formed: answered by the worker as usual, interleaved with the rest.
    () => ({ line: `{"jsonrpc":"2.0","id":${id},"method":"ping"}`, code: null, id }),
  ];
  return pick(r, cases)();
}

/** A line over the request limit, its id near the start or (as the SDK writes it) at the end. */
function oversizedCase(r: Rand, id: number): EnvelopeCase {
  const filler = Buffer.alloc(ENVELOPE_LINE_LIMIT + Math.floor(r() * 512 * 1024), "y");
  const [start, end] =
    r() < 0.5
      ? [`{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"x","arguments":{"a":"`, `"}}}`]
      : [`{"method":"tools/call","params":{"name":"x","arguments":{"a":"`, `"}},"jsonrpc":"2.0","id":${id}}`];
  return { line: Buffer.concat([Buffer.from(start), filler, Buffer.from(end)]), code: -32600, id };
}

/**
 * Envelope fuzzer: lines that break JSON-RPC 2.0 (no or wrong jsonrpc, params arrays, fractional
 * or object ids, batches, invalid JSON, unknown members, oversized lines) mixed with valid pings,
 * on the compiled server with or without its supervisor. Each must get exactly the error
 * JSON-RPC 2.0 prescribes (-32700/-32600, the id when valid else null), and the same worker must
 * still serve afterwards.
 */
export async function runEnvelopeFuzz(opts: {
  workspace: string;
  seed: number;
  lines: number;
  oversized: number;
  supervised: boolean;
}): Promise<EnvelopeReport> {
  const r = prng(opts.seed);
  const s = rawServer({
    cwd: opts.workspace,
    args: opts.supervised ? [] : ["--no-supervisor"],
    env: { ORCHESTRATOR_MAX_ARTIFACT_BYTES: String(ENVELOPE_ARTIFACT_LIMIT) },
  });
  const report: EnvelopeReport = {
    lines: 0,
    rightAnswers: 0,
    wrong: [],
    oversized: 0,
    healthyAfter: false,
    sameWorker: false,
  };
  const wrong = (what: string) => {
    if (report.wrong.length < 20) report.wrong.push(what);
  };
  try {
    await s.init();
    s.call("pid0", "orchestrator_health_check");
    const pid = (await s.answer("pid0")).result.structuredContent.server.pid;
    const sent: EnvelopeCase[] = [];
    const oversizedAt = new Set<number>();
    while (oversizedAt.size < Math.min(opts.oversized, opts.lines))
      oversizedAt.add(1 + Math.floor(r() * opts.lines));
    for (let i = 1; i <= opts.lines; i++) {
      const c = oversizedAt.has(i) ? oversizedCase(r, i) : envelopeCase(r, i);
      if (Buffer.isBuffer(c.line)) report.oversized++;
      sent.push(c);
      report.lines++;
      if (!s.sendLine(c.line)) await new Promise((done) => s.child.stdin!.once("drain", done));
    }
    // Everything before it has been read once this is answered (the worker answers in order of
    // arrival, the supervisor at once); the id-less errors are counted by code.
    s.send({ id: "done", method: "ping" });
    await s.answer("done", 120_000);
    const byId = sent.filter((c) => c.id !== null);
    const numbered = () => s.messages.filter((m) => typeof m.id === "number");
    await s.waitFor(() => numbered().length >= byId.length, 60_000);
    const answersOf = new Map<number, Record<string, any>[]>();
    for (const m of numbered()) answersOf.set(m.id, [...(answersOf.get(m.id) ?? []), m]);
    for (const c of byId) {
      const got = answersOf.get(c.id as number) ?? [];
      const a = got[0];
      const ok =
        got.length === 1 &&
        (c.code === null
          ? a?.result !== undefined
          : a?.error?.code === c.code && typeof a.error.message === "string");
      if (ok) report.rightAnswers++;
      else wrong(`${String(c.line).slice(0, 100)} → ${JSON.stringify(got).slice(0, 200)}`);
    }
    for (const code of [-32700, -32600]) {
      const expected = sent.filter((c) => c.id === null && c.code === code).length;
      const got = s.messages.filter((m) => m.id === null && m.error?.code === code).length;
      if (expected === got) report.rightAnswers += expected;
      else wrong(`${expected} lines deserved ${code} with id null; ${got} such answers came`);
    }
    s.call("pid1", "orchestrator_health_check");
    const after = (await s.answer("pid1")).result;
    report.healthyAfter = !after.isError && after.structuredContent.healthy;
    report.sameWorker = after.structuredContent.server.pid === pid;
  } finally {
    s.close();
  }
  return report;
}
