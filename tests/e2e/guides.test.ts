import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BINARY, ROOT } from "../helpers/client.ts";
import { expectedExit, fencedBlocks } from "../helpers/markdown-blocks.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.ts";

// Every shell command in docs/guides/*.md is run here, so the guides cannot drift from the binary.
//
// - Each ```sh block runs with `bash -euo pipefail`, and must exit 0, or the code named by a first
//   line `# expect-exit: N`.
// - The blocks of one guide run in order in one fresh temp HOME (with ORCHESTRATOR_HOME inside it)
//   and one temp project folder (with .git) as the current directory, so a block may rely on what
//   an earlier block of the same guide set up. Guides do not share state.
// - PATH starts with a temp bin folder holding `orchestrator` → dist/orchestrator (run
//   `bun run build` first), so guides write `orchestrator ...` as a user would. The environment is
//   built from scratch (no XDG_CONFIG_HOME, CODEX_HOME, ... from the machine running the tests),
//   so `install` and friends can only touch the temp HOME.
// - What cannot run here is kept out of ```sh blocks and shown in ```text or ```console blocks
//   instead: commands that need the network or a registry (`npm install -g orchestrator-mcp`,
//   `npx ...`, downloads), that open or need a real client app, that need a clone of this
//   repository (`bun install`, `bun run build`), and commands that block waiting for a client
//   (`orchestrator serve` on a terminal). A sh block may start `orchestrator serve` only with its
//   stdin redirected (the guides' mcp-try.sh helper talks to it through a FIFO and closes it);
//   the checks at the end of this file hold the guides to that. `curl` is allowed on a line whose
//   every URL is this machine's (http(s)://127.0.0.1 or localhost).
// - A block may leave a server running in the background (its output in a file, so the block's
//   own pipes close) for later blocks; the guide stops it in a later block, and whatever a failed
//   block left behind is killed after the guide: every process whose environment holds the
//   guide's temp HOME.

const GUIDES_DIR = join(ROOT, "docs", "guides");
const EXPECTED_GUIDES = [
  "agent-guide.md",
  "concepts.md",
  "custom-roles.md",
  "dashboard.md",
  "getting-started.md",
  "migrating.md",
  "operations.md",
  "team-server.md",
  "troubleshooting.md",
];
const guides = existsSync(GUIDES_DIR)
  ? readdirSync(GUIDES_DIR)
      .filter((f) => f.endsWith(".md"))
      .sort()
  : [];

/** Inputs that would reach the network or a package registry. */
const NETWORK = /(^|[\s;|&(])(npm|npx|bunx|pnpm|yarn|curl|wget|brew|apt-get|pip)\s/;
/** A curl line that names only this machine (and at least one URL of it). */
function loopbackCurl(line: string): boolean {
  const urls = line.match(/\bhttps?:\/\/[^\s"']*/g) ?? [];
  const local = /^https?:\/\/(127\.0\.0\.1|localhost)(:|\/|$)/;
  return /(^|[\s;|&(])curl\s/.test(line) && urls.length > 0 && urls.every((u) => local.test(u));
}

test("the guides are all there", () => {
  expect(guides).toEqual(EXPECTED_GUIDES);
});

test("the binary is built", () => {
  expect(existsSync(BINARY), `${BINARY} is missing: run 'bun run build' first`).toBe(true);
});

for (const guide of guides) guideSuite(`docs/guides/${guide}`);

// docs/postgres.md, the team-store guide, runs against a fresh PostgreSQL database of its own
// (tests/helpers/postgres.ts), handed to its blocks as TEAM_DB.
let teamDb: TestDatabase | undefined;
// As the guide advises, the URL carries no password: a server that needs one (the embedded
// test server) finds it in ~/.pgpass of the guide's HOME, which every server started there reads.
guideSuite("docs/postgres.md", async (home) => {
  teamDb = await createTestDatabase();
  const url = new URL(teamDb.url);
  if (url.password) {
    const port = url.port || "5432";
    const line = `${url.hostname}:${port}:*:${decodeURIComponent(url.username) || "postgres"}:${decodeURIComponent(url.password)}\n`;
    writeFileSync(join(home, ".pgpass"), line, { mode: 0o600 });
    url.password = "";
  }
  return { TEAM_DB: url.toString() };
});
afterAll(async () => {
  await teamDb?.drop();
});

/**
 * The tests of one guide: its sh blocks in order, in one temp HOME and project folder; `extraEnv`
 * adds variables to their environment.
 */
function guideSuite(file: string, extraEnv?: (home: string) => Promise<Record<string, string>>): void {
  const blocks = fencedBlocks(readFileSync(join(ROOT, file), "utf8")).filter((b) => b.lang === "sh");

  describe(file, () => {
    let home = "";
    let project = "";
    let env: Record<string, string> = {};
    beforeAll(async () => {
      home = realpathSync(mkdtempSync(join(tmpdir(), "orch-guide-")));
      project = join(home, "project");
      const bin = join(home, "bin");
      mkdirSync(join(project, ".git"), { recursive: true });
      mkdirSync(bin);
      mkdirSync(join(home, "tmp"));
      symlinkSync(BINARY, join(bin, "orchestrator"));
      env = {
        HOME: home,
        PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
        ORCHESTRATOR_HOME: join(home, ".orchestrator"),
        NO_COLOR: "1",
        TMPDIR: join(home, "tmp"),
        LANG: "C.UTF-8",
        ...(extraEnv ? await extraEnv(home) : {}),
      };
    }, 60_000);
    afterAll(() => {
      if (!home) return;
      killLeftovers(home);
      rmSync(home, { recursive: true, force: true });
    });

    for (const block of blocks) {
      const want = expectedExit(block.code);
      test(`sh block at line ${block.line} exits ${want}`, () => {
        const r = spawnSync("bash", ["-euo", "pipefail", "-c", block.code], {
          cwd: project,
          env,
          encoding: "utf8",
          timeout: 15_000,
        });
        if (r.status !== want) {
          throw new Error(
            `${file}:${block.line}: exit ${r.status ?? r.signal}, expected ${want}\n` +
              `--- block\n${block.code}--- stdout\n${r.stdout}--- stderr\n${r.stderr}`,
          );
        }
      }, 20_000);
    }

    test("its sh blocks run nothing that needs the network or blocks", () => {
      for (const block of blocks) {
        for (const [i, line] of block.code.split("\n").entries()) {
          const where = `${file}:${block.line + 1 + i}: ${line}`;
          const network = NETWORK.test(line) && !loopbackCurl(line);
          expect(network, `${where}: needs the network; use a text block`).toBe(false);
          if (/\borchestrator serve\b/.test(line) && !/^\s*#/.test(line)) {
            expect(line.includes("<"), `${where}: serve blocks without redirected stdin`).toBe(true);
          }
        }
      }
    });
  });
}

/**
 * Kills what the guide's blocks left running (a background server whose stopping block failed or
 * never ran): the processes whose environment holds the guide's own temp HOME. Linux only (/proc);
 * elsewhere a failed guide may leave its server behind.
 */
function killLeftovers(home: string): void {
  if (!existsSync("/proc")) return;
  const mark = `HOME=${home}\0`;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let environ = "";
    try {
      environ = readFileSync(`/proc/${entry}/environ`, "latin1");
    } catch {
      continue; // gone, or another user's
    }
    if (!`\0${environ}`.includes(`\0${mark}`)) continue;
    try {
      process.kill(Number(entry), "SIGKILL");
    } catch {
      // exited meanwhile
    }
  }
}
