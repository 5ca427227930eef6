import { afterEach, beforeEach, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { connectBinary } from "../helpers/client.ts";
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
