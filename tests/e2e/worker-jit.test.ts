import { afterEach, beforeEach, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { connectBinary } from "../helpers/client.ts";
import { startHttpServer } from "../helpers/http-server.ts";
import { makeProject } from "../helpers/temp.ts";

let project: { dir: string; cleanup: () => void };
beforeEach(() => {
  project = makeProject("orch-worker-jit-");
});
afterEach(() => project.cleanup());

const environ = (pid: number): string[] => readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");

// protocol/worker-env.ts: the real worker starts with FTL off and mimalloc's purge delay at 1 s;
// the supervisor is left as it was.
test.if(process.platform === "linux")(
  "the supervisor starts its worker with FTL off and a 1 s purge delay, and keeps its own defaults",
  async () => {
    const { client, transport, close } = await connectBinary({ cwd: project.dir });
    try {
      await client.listTools();
      const supervisor = transport.pid as number;
      const worker = Number(
        readFileSync(`/proc/${supervisor}/task/${supervisor}/children`, "utf8").trim().split(/\s+/)[0],
      );
      expect(environ(worker)).toContain("BUN_JSC_useFTLJIT=0");
      expect(environ(supervisor).some((v) => v.startsWith("BUN_JSC_useFTLJIT="))).toBe(false);
      expect(environ(worker)).toContain("MIMALLOC_PURGE_DELAY=1000");
      expect(environ(supervisor).some((v) => v.startsWith("MIMALLOC_PURGE_DELAY="))).toBe(false);
    } finally {
      await close();
    }
  },
);

// The same for `serve --http`: the front starts its workers with both settings, keeping its own.
test.if(process.platform === "linux")(
  "serve --http starts its workers with FTL off and a 1 s purge delay, and keeps its own defaults",
  async () => {
    const server = await startHttpServer({ cwd: project.dir, args: ["--db", join(project.dir, "team.db")] });
    try {
      const front = server.child.pid as number;
      // The "listening" line is the first worker's own (http-front.ts), so it is already there.
      const worker = Number(
        readFileSync(`/proc/${front}/task/${front}/children`, "utf8").trim().split(/\s+/)[0],
      );
      expect(environ(worker)).toContain("BUN_JSC_useFTLJIT=0");
      expect(environ(worker)).toContain("MIMALLOC_PURGE_DELAY=1000");
      expect(environ(front).some((v) => v.startsWith("MIMALLOC_PURGE_DELAY="))).toBe(false);
      expect(environ(front).some((v) => v.startsWith("BUN_JSC_useFTLJIT="))).toBe(false);
    } finally {
      await server.stop();
    }
  },
);
