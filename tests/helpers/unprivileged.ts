import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, lchownSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BINARY } from "./client.ts";

/**
 * Permission tests need a user that permission bits apply to. CI runs as root, which the kernel
 * lets write any file whatever its mode, so a 0444 file cannot show anything there. As root the
 * binary under test is run as `nobody` (uid/gid 65534) through util-linux `setpriv`, on a copy
 * of the binary in a world-readable temp folder (the checkout may sit under a 0700 /root), with
 * the test's folders handed over to that user. As any other user it runs as that user, unchanged.
 */
export const IS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;

export interface Unprivileged {
  /** The command and leading arguments that run `binary args...` as the unprivileged user. */
  argv(args: string[]): { command: string; args: string[] };
  /** Runs the binary synchronously as the unprivileged user. */
  run(args: string[], opts: { cwd: string; env: Record<string, string> }): ReturnType<typeof spawnSync>;
  /** Gives `dir` and everything in it to the unprivileged user (a no-op when not root). */
  handOver(dir: string): void;
  cleanup(): void;
}

export function unprivileged(): Unprivileged {
  if (!IS_ROOT) {
    return {
      argv: (args) => ({ command: BINARY, args }),
      run: (args, o) => spawnSync(BINARY, args, { cwd: o.cwd, env: o.env, encoding: "utf8" }),
      handOver: () => {},
      cleanup: () => {},
    };
  }
  const probe = spawnSync("setpriv", ["--version"], { encoding: "utf8" });
  if (probe.status !== 0) {
    throw new Error("running as root: these tests need util-linux setpriv to drop to an unprivileged user");
  }
  const dir = mkdtempSync(join(tmpdir(), "orch-binary-"));
  chmodSync(dir, 0o755);
  const binary = join(dir, "orchestrator");
  copyFileSync(BINARY, binary);
  chmodSync(binary, 0o755);
  const drop = ["--reuid", String(NOBODY), "--regid", String(NOBODY), "--clear-groups", "--"];
  const argv = (args: string[]) => ({ command: "setpriv", args: [...drop, binary, ...args] });
  const works = spawnSync("setpriv", [...drop, binary, "version"], { encoding: "utf8" });
  if (works.status !== 0) {
    throw new Error(
      `cannot run ${binary} as uid ${NOBODY} (is ${tmpdir()} reachable by other users?): ${works.stderr || works.error}`,
    );
  }
  return {
    argv,
    run: (args, o) => {
      const a = argv(args);
      return spawnSync(a.command, a.args, { cwd: o.cwd, env: o.env, encoding: "utf8" });
    },
    handOver: (target) => chownTree(target, NOBODY),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function chownTree(path: string, uid: number): void {
  lchownSync(path, uid, uid);
  if (statSync(path).isDirectory()) for (const e of readdirSync(path)) chownTree(join(path, e), uid);
}
