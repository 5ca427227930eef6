import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A running nginx (the distribution's package) in front of `serve --http` instances. */
export interface Nginx {
  /** The proxy's own base URL (no /mcp): what clients and --public-url use. */
  readonly base: string;
  readonly port: number;
  /** The generated configuration, for the guide and for failures. */
  readonly conf: string;
  errorLog(): string;
  stop(): Promise<void>;
}

/** The nginx binary: on PATH, or Debian's /usr/sbin/nginx (not on a normal user's PATH). */
export function findNginx(): string | undefined {
  for (const dir of [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/usr/local/sbin"]) {
    if (dir && existsSync(join(dir, "nginx"))) return join(dir, "nginx");
  }
  return undefined;
}

/** A port free right now on 127.0.0.1 (nginx cannot report the one the kernel picked). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * The configuration the tests and the guide use (docs/guides/team-server.md, "Behind nginx").
 * `proxy_next_upstream error timeout` without `non_idempotent`: nginx passes a request to the
 * next instance only when it could not be sent to this one (connection refused or timed out
 * while connecting: an instance stopping or down), never after an instance received it, since a
 * POST it received may have run (a claim, a plan), and sending it again would do it twice. No
 * upstream keepalive: each request gets its own connection, so an instance that stops refuses a
 * connection (retried) rather than dropping one nginx was writing a request on (not retried).
 */
export function nginxConf(o: {
  prefix: string;
  port: number;
  upstreams: readonly string[];
  user?: string;
}): string {
  const p = o.prefix;
  return `${o.user ? `user ${o.user};\n` : ""}worker_processes 1;
pid ${p}/nginx.pid;
error_log ${p}/error.log warn;
events { worker_connections 1024; }
http {
  access_log ${p}/access.log;
  client_body_temp_path ${p}/tmp/body;
  proxy_temp_path ${p}/tmp/proxy;
  fastcgi_temp_path ${p}/tmp/fastcgi;
  uwsgi_temp_path ${p}/tmp/uwsgi;
  scgi_temp_path ${p}/tmp/scgi;
  upstream orchestrator {
${o.upstreams.map((u) => `    server ${u} max_fails=1 fail_timeout=2s;`).join("\n")}
  }
  server {
    listen 127.0.0.1:${o.port};
    client_max_body_size 64m;
    location / {
      proxy_pass http://orchestrator;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_next_upstream error timeout;
      proxy_next_upstream_tries 3;
      proxy_connect_timeout 2s;
      proxy_read_timeout 130s;
      proxy_buffering off;
    }
  }
}
`;
}

/**
 * Starts nginx in the foreground on `port` with its own prefix folder (pid, logs, temp files),
 * round-robin over `upstreams` (host:port). Resolves once it answers. Throws with the fix when
 * nginx is not installed (.ci/run installs it).
 */
export async function startNginx(o: { port: number; upstreams: readonly string[] }): Promise<Nginx> {
  const bin = findNginx();
  if (!bin) {
    throw new Error("nginx is not installed: apt-get install -y nginx (.ci/run does it when it can)");
  }
  const prefix = mkdtempSync(join(tmpdir(), "orch-nginx-"));
  mkdirSync(join(prefix, "tmp"));
  // As root, nginx's workers switch to `nobody`, which cannot use a private temp folder.
  const user = process.getuid?.() === 0 ? "root" : undefined;
  const conf = nginxConf({ prefix, port: o.port, upstreams: o.upstreams, user });
  const confPath = join(prefix, "nginx.conf");
  writeFileSync(confPath, conf);
  const test = spawnSync(bin, ["-t", "-p", prefix, "-c", confPath], { encoding: "utf8" });
  if (test.status !== 0) throw new Error(`nginx -t refused the configuration:\n${test.stderr}\n${conf}`);
  const child: ChildProcess = spawn(bin, ["-p", prefix, "-c", confPath, "-g", "daemon off;"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const base = `http://127.0.0.1:${o.port}`;
  // nginx writes nothing when it is ready: the first answer through it is the event.
  for (let i = 0; ; i++) {
    const up = await fetch(`${base}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (up) break;
    if (child.exitCode !== null || i > 200) throw new Error(`nginx did not start:\n${err}`);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 25))]);
  }
  return {
    base,
    port: o.port,
    conf,
    errorLog: () => {
      try {
        return readFileSync(join(prefix, "error.log"), "utf8");
      } catch {
        return "";
      }
    },
    stop: async () => {
      child.kill("SIGQUIT");
      await exited;
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
