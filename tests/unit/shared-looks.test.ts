import { expect, test } from "bun:test";
import { SHARE_LOOK_MS, SharedLooks } from "../../src/server/shared-looks.ts";

/** Looks numbered in the order they were taken, on a clock the test moves. */
let taken = 0;
const take = (): number => ++taken;

function setup(): { looks: SharedLooks<number>; taken: () => number; advance: (ms: number) => void } {
  let now = 1_000_000;
  taken = 0;
  return {
    looks: new SharedLooks<number>({ now: () => now }),
    taken: () => taken,
    advance: (ms) => {
      now += ms;
    },
  };
}

test("a call that starts while another is in flight uses its look", () => {
  const { looks, taken } = setup();
  const a = looks.begin("/ws", take);
  const b = looks.begin("/ws", take);
  expect(b.look).toBe(a.look);
  expect(taken()).toBe(1);
  // Still in flight through b: a third call joins too.
  a.end();
  const c = looks.begin("/ws", take);
  expect(c.look).toBe(a.look);
  b.end();
  c.end();
  expect(looks.size).toBe(0);
});

test("calls one at a time each take their own look", () => {
  const { looks, taken } = setup();
  for (let i = 1; i <= 3; i++) {
    const call = looks.begin("/ws", take);
    expect(call.look).toBe(i);
    call.end();
  }
  expect(taken()).toBe(3);
});

test("a look older than the bound is not handed on, even with its call in flight", () => {
  const { looks, advance } = setup();
  const a = looks.begin("/ws", take);
  advance(SHARE_LOOK_MS);
  const b = looks.begin("/ws", take);
  expect(b.look).toBe(a.look);
  advance(1);
  const c = looks.begin("/ws", take);
  expect(c.look).not.toBe(a.look);
  // The old look's last call ending leaves the new one in place for calls that overlap it.
  a.end();
  b.end();
  expect(looks.begin("/ws", take).look).toBe(c.look);
});

test("other workspaces have their own looks; ending twice counts once", () => {
  const { looks } = setup();
  const a = looks.begin("/ws", take);
  const other = looks.begin("/other", take);
  expect(other.look).not.toBe(a.look);
  const b = looks.begin("/ws", take);
  b.end();
  b.end();
  // a is still in flight: the look is still handed on.
  expect(looks.begin("/ws", take).look).toBe(a.look);
});

test("a fresh look replaces the one in flight for the calls that start after it", () => {
  const { looks } = setup();
  const a = looks.begin("/ws", take);
  const b = looks.begin("/ws", take, { fresh: true });
  expect(b.look).not.toBe(a.look);
  expect(looks.begin("/ws", take).look).toBe(b.look);
});
