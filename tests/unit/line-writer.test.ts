import { describe, expect, test } from "bun:test";
import { PassThrough, Writable } from "node:stream";
import { resultAnswerId } from "../../src/protocol/jsonrpc.ts";
import { lineText, readLineBytes } from "../../src/protocol/line-reader.ts";
import { LineWriter } from "../../src/protocol/line-writer.ts";

/** A stream that records each write it gets; over `highWaterMark` bytes buffered until `drain()`. */
function recorder(highWaterMark = 1 << 20) {
  const writes: string[] = [];
  let release: (() => void) | null = null;
  const out = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, done) {
      writes.push(chunk.toString("utf8"));
      // Holds the write (the reader is slow) until the test lets it go.
      if (highWaterMark < 1 << 20) release = done;
      else done();
    },
  });
  return { out, writes, drain: () => release?.() };
}

const turn = () => new Promise((r) => setImmediate(r));

describe("LineWriter: the lines of one turn in one write", () => {
  test("lines written in the same turn go out in one write, in order, each a line", async () => {
    const { out, writes } = recorder();
    const w = new LineWriter(out);
    w.line('{"id":1}');
    w.line(Buffer.from('{"id":2,"text":"caf\u00e9"}'));
    w.line('{"id":3}');
    expect(writes).toEqual([]); // nothing before the turn ends
    await w.flushed();
    expect(writes).toEqual(['{"id":1}\n{"id":2,"text":"café"}\n{"id":3}\n']);
    w.line('{"id":4}');
    await turn();
    expect(writes).toHaveLength(2);
    expect(writes[1]).toBe('{"id":4}\n');
  });

  test("a full stream reports backpressure once and settles its writers at 'drain'", async () => {
    const { out, writes, drain } = recorder(16);
    const full: boolean[] = [];
    const w = new LineWriter(out, (f) => full.push(f));
    w.line("x".repeat(40));
    let settled = false;
    void w.flushed().then(() => {
      settled = true;
    });
    await turn();
    expect(full).toEqual([true]);
    w.line("y"); // still accepted and kept in order while full
    void w.flushed();
    await turn();
    expect(full).toEqual([true]);
    expect(settled).toBe(false);
    drain(); // the first write done: the second goes on
    await turn();
    drain();
    await turn();
    expect(settled).toBe(true);
    expect(full).toEqual([true, false]);
    expect(writes).toEqual([`${"x".repeat(40)}\n`, "y\n"]);
  });

  test("end() writes what is queued first; later lines are dropped", async () => {
    const { out, writes } = recorder();
    const w = new LineWriter(out);
    w.line("last");
    w.end();
    w.line("after");
    await turn();
    expect(writes).toEqual(["last\n"]);
    expect(out.writableEnded).toBe(true);
  });

  test("a destroyed stream takes nothing and settles at once", async () => {
    const { out, writes } = recorder();
    const w = new LineWriter(out);
    out.destroy();
    w.line("lost");
    await w.flushed();
    expect(writes).toEqual([]);
  });
});

describe("readLineBytes → LineWriter: a relay that does not decode", () => {
  test("lines keep their newline, a line split across chunks comes whole, the last may lack one", () => {
    const input = new PassThrough();
    const lines: Buffer[] = [];
    readLineBytes(input, { onLine: (l) => lines.push(l) });
    input.write('{"a":1}\r\n{"b":');
    input.write('"caf\u00e9"}\n\n{"c":3}');
    input.end();
    return new Promise<void>((done) => {
      input.on("end", () => {
        expect(lines.map((l) => l.toString("utf8"))).toEqual(['{"a":1}\r\n', '{"b":"café"}\n', '{"c":3}']);
        expect(lines.map(lineText)).toEqual(['{"a":1}', '{"b":"café"}', '{"c":3}']);
        done();
      });
    });
  });

  test("the lines of one chunk, relayed in order, are written as that memory, uncopied", async () => {
    const chunk = Buffer.from('{"id":1}\n{"id":2}\n{"id":3}\n');
    const written: Uint8Array[] = [];
    const out = new Writable({
      write(c: Buffer, _enc, done) {
        written.push(c);
        done();
      },
    });
    const w = new LineWriter(out);
    const input = new PassThrough();
    readLineBytes(input, { onLine: (l) => w.line(l) });
    input.write(chunk);
    await new Promise((r) => setImmediate(r));
    await w.flushed();
    expect(written).toHaveLength(1);
    expect(Buffer.from(written[0] as Uint8Array).toString()).toBe(chunk.toString());
    expect((written[0] as Uint8Array).buffer).toBe(chunk.buffer);
    // Skipping a line, or adding one of text, joins them by copying instead.
    w.line(chunk.subarray(0, 9));
    w.line(chunk.subarray(18, 27));
    w.line('{"id":4}');
    w.line(Buffer.from('{"id":5}'));
    await w.flushed();
    expect(Buffer.from(written[1] as Uint8Array).toString()).toBe('{"id":1}\n{"id":3}\n{"id":4}\n{"id":5}\n');
  });
});

describe("resultAnswerId: the id of a result read off its ends", () => {
  const sdk = (result: unknown, id: unknown) => JSON.stringify({ result, jsonrpc: "2.0", id });
  const idOf = (line: string) => resultAnswerId(Buffer.from(line));

  test("a result as the SDK writes it, with an integer id", () => {
    expect(idOf(sdk({ content: [{ type: "text", text: "ok · done" }] }, 17))).toBe(17);
    expect(idOf(sdk({}, 0))).toBe(0);
    expect(idOf(sdk({}, -3))).toBe(-3);
    expect(idOf(sdk({}, 123456789012345))).toBe(123456789012345);
    expect(idOf(`${sdk({ a: 1 }, 42)}\n`)).toBe(42); // as readLineBytes gives it
  });

  test("anything else takes the full parse (null)", () => {
    expect(idOf(sdk({}, "a"))).toBeNull(); // string id
    expect(idOf(sdk({}, 1234567890123456))).toBeNull(); // past 15 digits
    expect(idOf(JSON.stringify({ jsonrpc: "2.0", id: 5, result: {} }))).toBeNull(); // id not last
    expect(idOf(JSON.stringify({ jsonrpc: "2.0", id: 5, error: { code: 1, message: "x" } }))).toBeNull();
    expect(idOf(JSON.stringify({ method: "roots/list", jsonrpc: "2.0", id: 5 }))).toBeNull();
    expect(idOf(`${sdk({}, 5)}\r`)).toBeNull();
    expect(idOf('{ "result":{},"jsonrpc":"2.0","id":5}')).toBeNull();
    expect(idOf("")).toBeNull();
  });

  test("agrees with JSON.parse where a string inside the result looks like the ending", () => {
    const tricky = [
      sdk({ text: '","jsonrpc":"2.0","id":7}' }, 8),
      sdk({ text: 'x\\"' }, 9),
      sdk({ a: { b: { c: ',"jsonrpc":"2.0","id":1}' } } }, 10),
    ];
    for (const line of tricky) expect(idOf(line)).toBe(JSON.parse(line).id);
  });
});
