import { describe, expect, test } from "bun:test";
import { PassThrough } from "node:stream";
import {
  CallToolRequestSchema,
  JSONRPCErrorResponseSchema,
  type JSONRPCMessage,
  JSONRPCRequestSchema,
  JSONRPCResultResponseSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { readLines } from "../../src/protocol/line-reader.ts";
import { LineTransport } from "../../src/server/line-transport.ts";

type Json = Record<string, any>;

async function transport() {
  const input = new PassThrough();
  const output = new PassThrough();
  const t = new LineTransport({ input, output, maxLineBytes: 1 << 20, log: () => {} });
  const received: JSONRPCMessage[] = [];
  const answers: Json[] = [];
  const chunks: string[] = [];
  t.onmessage = (m) => received.push(m);
  output.on("data", (d: Buffer) => chunks.push(d.toString()));
  readLines(output, { onLine: (line) => answers.push(JSON.parse(line)) });
  await t.start();
  const send = async (msg: Json) => {
    input.write(`${JSON.stringify({ jsonrpc: "2.0", ...msg })}\n`);
    await new Promise((r) => setImmediate(r));
  };
  return { t, received, answers, chunks, send };
}

describe("LineTransport: tools/call without the duplicate parses", () => {
  const calls: Json[] = [
    { id: 1, method: "tools/call", params: { name: "orchestrator_get_status" } },
    {
      id: "a",
      method: "tools/call",
      params: { name: "x", arguments: { task_id: "t", n: [1, { a: null }] } },
    },
    { id: 2, method: "tools/call", params: { name: "x", arguments: {}, _meta: { progressToken: 7 } } },
    { id: 3, method: "tools/call", params: { name: "x", _meta: { progressToken: "p", other: { k: 1 } } } },
    { id: 4, method: "tools/call", params: { name: "x", extra: true, _meta: {} } },
  ];

  test.each(calls)("%j reaches the SDK as the schemas would pass it", async (call) => {
    const h = await transport();
    await h.send(call);
    expect(h.answers).toEqual([]);
    const msg = { jsonrpc: "2.0", ...call };
    expect(h.received).toEqual([JSONRPCRequestSchema.parse(msg) as JSONRPCMessage]);
    expect(CallToolRequestSchema.safeParse(msg).success).toBe(true);
    // ...and is marked for the SDK's request runner (stdio.ts): never a response by its schemas.
    expect(h.t.isCheckedToolCall(h.received[0] as JSONRPCMessage)).toBe(true);
    expect(JSONRPCResultResponseSchema.safeParse(msg).success).toBe(false);
    expect(JSONRPCErrorResponseSchema.safeParse(msg).success).toBe(false);
  });

  const others: Json[] = [
    { id: 11, method: "ping" },
    { id: 12, method: "tools/list", params: {} },
    { id: 13, method: "tools/call", params: { name: "x", task: { ttl: 1000 } } },
    { method: "notifications/initialized" },
  ];

  test.each(others)("%j takes the SDK's own routing", async (msg) => {
    const h = await transport();
    await h.send(msg);
    expect(h.received).toHaveLength(1);
    expect(h.t.isCheckedToolCall(h.received[0] as JSONRPCMessage)).toBe(false);
  });

  const bad: [Json, number, RegExp][] = [
    [{ id: 5, method: "tools/call", params: { name: 5 } }, -32602, /params\.name/],
    [{ id: 6, method: "tools/call", params: { name: "x", arguments: [1] } }, -32602, /params\.arguments/],
    [
      { id: 7, method: "tools/call", params: { name: "x", task: { ttl: "long" } } },
      -32602,
      /params\.task\.ttl/,
    ],
    [
      { id: 8, method: "tools/call", params: { name: "x", _meta: { progressToken: 1.5 } } },
      -32600,
      /progressToken/,
    ],
    [
      {
        id: 9,
        method: "tools/call",
        params: { name: "x", _meta: { "io.modelcontextprotocol/related-task": {} } },
      },
      -32600,
      /taskId/,
    ],
    [{ id: 10, method: "tools/call" }, -32602, /params/],
  ];

  test.each(bad)("%j is still refused %d naming the field", async (call, code, field) => {
    const h = await transport();
    await h.send(call);
    expect(h.received).toEqual([]);
    expect(h.answers).toHaveLength(1);
    expect(h.answers[0]?.id).toBe(call.id);
    expect(h.answers[0]?.error.code).toBe(code);
    expect(h.answers[0]?.error.message).toMatch(field);
  });

  test("answers sent in one turn go out in one write, each a line, in order", async () => {
    const h = await transport();
    const sent = [3, 1, 2].map((id) => h.t.send({ jsonrpc: "2.0", id, result: { content: [] } }));
    await Promise.all(sent);
    await new Promise((r) => setImmediate(r));
    expect(h.chunks).toHaveLength(1);
    expect(h.answers.map((a) => a.id)).toEqual([3, 1, 2]);
  });
});
