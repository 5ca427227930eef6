import { expect, test } from "bun:test";
import { ID_PATTERN, IdSchema, isValidId, showId } from "../../src/core/ids.ts";

test("every id shape this project and the Python orchestrator generate passes the id rule", () => {
  for (const id of [
    "task_1a2b3c4d",
    "implementer_a1b2c3",
    "artifact_0f0f0f0f",
    "my-task.v2",
    "Step1",
    "a",
    "x".repeat(128),
  ]) {
    expect(isValidId(id)).toBe(true);
    expect(IdSchema.safeParse(id).success).toBe(true);
  }
});

test("ids that could name a path elsewhere, hide a character or are not strings are refused", () => {
  for (const id of [
    "",
    ".",
    "..",
    "../..",
    "../../../x",
    "a/b",
    "a\\b",
    "a..b",
    ".hidden",
    "-flag",
    "_x",
    "a\0b",
    "a\nb",
    "a\tb",
    "a b",
    "evil\u202e",
    "ＡＢＣ",
    "C:",
    "/etc",
    "x".repeat(129),
  ]) {
    expect(isValidId(id)).toBe(false);
    expect(IdSchema.safeParse(id).success).toBe(false);
  }
  for (const v of [null, undefined, 42, 1n, new Uint8Array([97]), ["a"], { id: "a" }]) {
    expect(isValidId(v)).toBe(false);
  }
});

test("showId makes NUL, newlines and huge ids visible and short", () => {
  expect(showId("a\0b")).toBe('"a\\u0000b"');
  expect(showId("x\ny")).toBe('"x\\ny"');
  expect(showId("y".repeat(10_000))).toContain("(10000 chars)");
  expect(showId(7)).toBe('"7"');
});

test("the id pattern, which the tool schemas publish, has no lookaround (RE2 and Rust clients cannot compile one)", () => {
  expect(ID_PATTERN.source).not.toMatch(/\(\?<?[=!]/);
  for (const id of ["a.", "a.b", "a.-b", "v1.2.3"]) expect(isValidId(id)).toBe(true);
  for (const id of ["a..", "a...b", "a.b..c"]) expect(isValidId(id)).toBe(false);
});
