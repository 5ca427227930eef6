import { describe, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  type CallToolResult,
  CallToolResultSchema,
  type JSONRPCMessage,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import {
  reportInvalidArguments,
  requestRunner,
  skipOwnOutputValidation,
} from "../../src/server/sdk-compat.ts";

/**
 * src/server/sdk-compat.ts patches a private method of the SDK and parses the text of one of its
 * messages. If this file fails after an SDK upgrade, the upgrade changed one of them: adapt
 * sdk-compat.ts (not this test) so invalid arguments still come back as INVALID_INPUT.
 */
const UPGRADE_HINT = "the SDK changed what src/server/sdk-compat.ts relies on";

async function pair(
  opts: { skipOutputCheck?: boolean } = {},
): Promise<{ client: Client; close: () => Promise<void> }> {
  const server = new McpServer({ name: "compat", version: "1" }, { capabilities: { tools: {} } });
  server.registerTool(
    "echo_id",
    { inputSchema: { task_id: z.string().regex(/^task_/), count: z.number().int() } },
    async ({ task_id }) => ({ content: [{ type: "text", text: task_id }] }),
  );
  // A result its own output schema refuses (a string where a number is declared): how the test
  // sees whether the SDK's output parse ran.
  server.registerTool("off_schema", { inputSchema: {}, outputSchema: { n: z.number() } }, async () => ({
    content: [{ type: "text", text: "n" }],
    structuredContent: { n: "not a number" },
  }));
  reportInvalidArguments(server);
  if (opts.skipOutputCheck) skipOwnOutputValidation(server);
  const [a, b] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "compat-test", version: "1" });
  await server.connect(a);
  await client.connect(b);
  return {
    client,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

describe("the SDK internals sdk-compat.ts patches", () => {
  test("McpServer still has the private createToolError and validateToolOutput hooks", () => {
    const proto = McpServer.prototype as unknown as Record<string, unknown>;
    expect(typeof proto.createToolError, UPGRADE_HINT).toBe("function");
    expect(typeof proto.validateToolOutput, UPGRADE_HINT).toBe("function");
  });

  test("requestRunner runs a tools/call as the SDK's own routing does: same answer, same checks", async () => {
    const server = new McpServer({ name: "compat", version: "1" }, { capabilities: { tools: {} } });
    server.registerTool(
      "echo_id",
      { inputSchema: { task_id: z.string().regex(/^task_/), count: z.number().int() } },
      async ({ task_id, count }) => ({ content: [{ type: "text", text: `${task_id} ${count}` }] }),
    );
    reportInvalidArguments(server);
    const [a, b] = InMemoryTransport.createLinkedPair();
    const answers = new Map<unknown, JSONRPCMessage>();
    const waiters = new Map<unknown, () => void>();
    b.onmessage = (m) => {
      const id = (m as { id?: unknown }).id;
      answers.set(id, m);
      waiters.get(id)?.();
    };
    await server.connect(a);
    await b.start();
    const answerTo = (id: number) =>
      new Promise<JSONRPCMessage>((resolve) => {
        const done = () => resolve(answers.get(id) as JSONRPCMessage);
        if (answers.has(id)) done();
        else waiters.set(id, done);
      });
    const call = (id: number, args: Record<string, unknown>) => ({
      jsonrpc: "2.0" as const,
      id,
      method: "tools/call",
      params: { name: "echo_id", arguments: args },
    });
    try {
      const run = requestRunner(server);
      // The same two requests, one through the SDK's routing (the transport) and one run directly.
      await b.send(call(1, { task_id: "task_a", count: 2 }));
      run(call(2, { task_id: "task_a", count: 2 }));
      const [viaSdk, direct] = await Promise.all([answerTo(1), answerTo(2)]);
      expect({ ...direct, id: 1 } as unknown, UPGRADE_HINT).toEqual(viaSdk);
      expect((direct as { result?: CallToolResult }).result?.content).toEqual([
        { type: "text", text: "task_a 2" },
      ]);
      // Arguments are still checked on the direct way: the input schema is the SDK's handler's.
      run(call(3, { task_id: "nope", count: 1 }));
      const bad = (await answerTo(3)) as { result?: CallToolResult };
      expect(bad.result?.isError).toBe(true);
      const text = bad.result?.content[0]?.type === "text" ? bad.result.content[0].text : "";
      expect(text).toStartWith("INVALID_INPUT: echo_id: ");
    } finally {
      await server.close();
    }
  });

  test("validateToolOutput is where the SDK parses results, and skipping it leaves input checks on", async () => {
    const checked = await pair();
    try {
      const r = (await checked.client.callTool({ name: "off_schema", arguments: {} })) as CallToolResult;
      // Through the SDK's own path the result is refused: the parse we skip is real...
      expect(r.isError, UPGRADE_HINT).toBe(true);
      expect(r.content[0]?.type === "text" ? r.content[0].text : "").toContain("Output validation error");
    } finally {
      await checked.close();
    }
    const skipped = await pair({ skipOutputCheck: true });
    try {
      // ...and skipping the hook is what removes it (a raw request: the SDK client would refuse it).
      const r = (await skipped.client.request(
        { method: "tools/call", params: { name: "off_schema", arguments: {} } },
        CallToolResultSchema,
      )) as CallToolResult;
      expect(r.isError, UPGRADE_HINT).toBeUndefined();
      expect(r.structuredContent).toEqual({ n: "not a number" });
      const bad = (await skipped.client.callTool({
        name: "echo_id",
        arguments: { task_id: "nope", count: 1 },
      })) as CallToolResult;
      expect(bad.isError).toBe(true);
      expect(bad.content[0]?.type === "text" ? bad.content[0].text : "").toStartWith(
        "INVALID_INPUT: echo_id: ",
      );
    } finally {
      await skipped.close();
    }
  });

  test("invalid arguments come back through a real Client as INVALID_INPUT naming each field", async () => {
    const { client, close } = await pair();
    try {
      const r = (await client.callTool({
        name: "echo_id",
        arguments: { task_id: "nope", count: 1.5 },
      })) as CallToolResult;
      const text = r.content[0]?.type === "text" ? r.content[0].text : "";
      expect(r.isError).toBe(true);
      expect(text, `${UPGRADE_HINT}; got: ${text}`).toStartWith("INVALID_INPUT: echo_id: ");
      expect(text).toContain("task_id: ");
      expect(text).toContain("count: ");
      expect(text).toContain("What to do: ");
      expect((r._meta?.["orchestrator/error"] as { code?: string } | undefined)?.code).toBe("INVALID_INPUT");
    } finally {
      await close();
    }
  });

  test("other tool errors pass through the SDK unchanged", async () => {
    const { client, close } = await pair();
    try {
      const r = (await client.callTool({ name: "no_such_tool", arguments: {} })) as CallToolResult;
      expect(r.isError).toBe(true);
      expect(r.content[0]).toEqual({ type: "text", text: "MCP error -32602: Tool no_such_tool not found" });
      expect(r._meta).toBeUndefined();
    } finally {
      await close();
    }
  });
});
