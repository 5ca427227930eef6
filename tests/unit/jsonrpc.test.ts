import { describe, expect, test } from "bun:test";
import { PassThrough } from "node:stream";
import { classify, recoverId } from "../../src/protocol/jsonrpc.ts";
import { type OversizedLine, readLines } from "../../src/protocol/line-reader.ts";

describe("classify: the JSON-RPC 2.0 envelope", () => {
  const reply = (line: string) => {
    const c = classify(line);
    if (c.kind !== "invalid") throw new Error(`expected invalid, got ${c.kind}`);
    return c.reply as { id: unknown; error: { code: number; message: string } } | null;
  };

  test.each([
    ['{"id":1,"method":"tools/list"}', 1, /"jsonrpc" must be "2.0"/],
    ['{"jsonrpc":"1.0","id":"a","method":"tools/list"}', "a", /got "1.0"/],
    ['{"jsonrpc":"2.0","id":3,"method":"tools/list","params":[1]}', 3, /"params" must be an object/],
    ['{"jsonrpc":"2.0","id":1.5,"method":"tools/list"}', null, /"id" must be a string or an integer/],
    ['{"jsonrpc":"2.0","id":null,"method":"tools/list"}', null, /"id" must be/],
    ['{"jsonrpc":"2.0","id":4,"method":7}', 4, /"method" must be a string/],
    ['{"jsonrpc":"2.0","id":5,"method":"x","extra":1}', 5, /unknown member/],
    ['[{"jsonrpc":"2.0","id":6,"method":"x"}]', null, /batches are not supported/],
    ["[]", null, /batches/],
    ["42", null, /JSON object/],
    ['{"jsonrpc":"2.0","id":7}', 7, /"method" must be a string/],
    ['{"jsonrpc":"2.0","method":1}', null, /"method"/],
  ])("%s → -32600 with id %p", (line, id, why) => {
    const r = reply(line)!;
    expect(r.id).toBe(id);
    expect(r.error.code).toBe(-32600);
    expect(r.error.message).toMatch(why);
  });

  test("invalid JSON → -32700 with id null", () => {
    const r = reply('{"jsonrpc":"2.0","id":1,')!;
    expect(r).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32700 } });
  });

  test("valid requests, notifications and responses pass", () => {
    expect(classify('{"jsonrpc":"2.0","id":"x","method":"ping"}')).toMatchObject({
      kind: "request",
      id: "x",
    });
    expect(classify('{"jsonrpc":"2.0","method":"notifications/initialized"}')).toMatchObject({
      kind: "notification",
    });
    expect(classify('{"jsonrpc":"2.0","id":2,"result":{}}')).toMatchObject({ kind: "response", id: 2 });
  });

  test("a malformed response is never answered", () => {
    expect(reply('{"jsonrpc":"2.0","id":2,"result":{},"error":{}}')).toBeNull();
    expect(reply('{"id":2,"result":{}}')).toBeNull();
  });
});

describe("recoverId: the id of a line too long to read", () => {
  test("near the start, at depth 1 only", () => {
    expect(
      recoverId({ head: '{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"x":"yyyy', tail: "" }),
    ).toBe(42);
    expect(recoverId({ head: '{"params":{"id":9,"a":"yyyy', tail: "" })).toBeNull();
    expect(recoverId({ head: '{"a":"\\"id\\":3","id":"q","b":"', tail: "" })).toBe("q");
  });
  test("at the end, where the SDK writes it", () => {
    expect(
      recoverId({
        head: '{"method":"tools/call","params":{"a":"yyy',
        tail: 'yyy"}},"jsonrpc":"2.0","id":17}',
      }),
    ).toBe(17);
    expect(recoverId({ head: "", tail: 'yyy"}},"id":"abc","jsonrpc":"2.0"}' })).toBe("abc");
    expect(recoverId({ head: "", tail: 'yyy","id":17}}' })).toBeNull(); // a nested id
    expect(recoverId({ head: "", tail: '"id":1.5}' })).toBeNull();
  });
});

describe("readLines: bounded lines", () => {
  function feed(chunks: (string | Buffer)[], maxLineBytes: number) {
    const stream = new PassThrough();
    const lines: string[] = [];
    const oversized: OversizedLine[] = [];
    let ended = false;
    readLines(stream, {
      maxLineBytes,
      onLine: (l) => lines.push(l),
      onOversized: (o) => oversized.push(o),
      onEnd: () => {
        ended = true;
      },
    });
    for (const c of chunks) stream.write(c);
    stream.end();
    return new Promise<{ lines: string[]; oversized: OversizedLine[] }>((resolve) => {
      const check = () => (ended ? resolve({ lines, oversized }) : setImmediate(check));
      check();
    });
  }

  test("a line over the limit is dropped as it streams, its ends kept, and the next lines are read", async () => {
    const big = `{"id":1,"x":"${"y".repeat(5000)}","jsonrpc":"2.0","id2":"end"}`;
    const chunks: string[] = [];
    for (let i = 0; i < big.length; i += 100) chunks.push(big.slice(i, i + 100));
    const r = await feed(["before\n", ...chunks, "\nafter\r\n", "last"], 1000);
    expect(r.lines).toEqual(["before", "after", "last"]);
    expect(r.oversized).toHaveLength(1);
    expect(r.oversized[0]!.bytes).toBe(big.length);
    expect(r.oversized[0]!.head.startsWith('{"id":1,')).toBe(true);
    expect(r.oversized[0]!.tail.endsWith('"id2":"end"}')).toBe(true);
  });

  test("a character split across chunks stays whole; the limit counts bytes", async () => {
    const euro = Buffer.from("€", "utf8"); // 3 bytes
    const r = await feed([euro.subarray(0, 1), euro.subarray(1), "\n", "€€\n"], 3);
    expect(r.lines).toEqual(["€"]);
    expect(r.oversized.map((o) => o.bytes)).toEqual([6]);
  });
});
