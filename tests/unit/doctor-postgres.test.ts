import { describe, expect, test } from "bun:test";
import {
  CLOCK_OFFSET_MS,
  postgresFindings,
  SLOW_ROUND_TRIP_MS,
  SUPPORTED_MAJOR,
} from "../../src/doctor/checks/data-postgres.ts";
import { MIGRATIONS } from "../../src/store/migrations/index.ts";
import type { PostgresInspection } from "../../src/store/postgres/inspect.ts";
import { parsePostgresUrl } from "../../src/store/postgres/url.ts";

// Doctor's verdicts on figures a real server gives only rarely (a far host without TLS, an old
// version, a slow link, a skewed clock): the thresholds and what each finding tells a person.
// tests/e2e/doctor-postgres.test.ts covers the real server.

function inspection(url: string, over: Partial<PostgresInspection> = {}): PostgresInspection {
  const { password: _p, ...options } = parsePostgresUrl(url);
  const all = Object.keys(MIGRATIONS).sort();
  return {
    where: options.redacted,
    options,
    serverVersion: "15.4",
    serverVersionNum: 150004,
    maxConnections: 100,
    applied: all,
    unknown: [],
    missing: [],
    latencyMs: { median: 0.4, samples: [0.3, 0.4, 0.5, 0.4, 0.4] },
    tls: false,
    clock: { offsetMs: 3, rttMs: 0.4 },
    ...over,
  };
}

const byId = (url: string, over: Partial<PostgresInspection> = {}) => {
  const found = postgresFindings(inspection(url, over));
  return (id: string) => {
    const f = found.find((x) => x.id === id);
    if (!f) throw new Error(`no ${id}`);
    return f;
  };
};

describe("doctor's PostgreSQL findings", () => {
  test("a healthy local server: every finding ok", () => {
    const found = postgresFindings(inspection("postgres://u:pw@127.0.0.1/db"));
    expect(found.map((f) => [f.id, f.status])).toEqual([
      ["data.database", "ok"],
      ["data.server_version", "ok"],
      ["data.schema", "ok"],
      ["data.latency", "ok"],
      ["data.pool", "ok"],
      ["data.tls", "ok"],
      ["data.clock", "ok"],
    ]);
    expect(JSON.stringify(found)).not.toContain(":pw@");
  });

  test(`a server older than ${SUPPORTED_MAJOR}: warned, with the supported versions`, () => {
    const f = byId("postgres://u@127.0.0.1/db", { serverVersion: "13.9", serverVersionNum: 130009 })(
      "data.server_version",
    );
    expect(f.status).toBe("warn");
    expect(f.detail).toContain(`older than ${SUPPORTED_MAJOR}`);
  });

  test("pending and unknown migrations", () => {
    const pending = byId("postgres://u@h/db", { applied: [], missing: ["m1", "m2"] })("data.schema");
    expect(pending.status).toBe("warn");
    expect(pending.detail).toContain("2 migration(s) pending");
    const newer = byId("postgres://u@h/db", { unknown: ["2099_01_01_x"] })("data.schema");
    expect(newer.status).toBe("fail");
    expect(newer.fix).toContain("Upgrade");
  });

  test(`a median round trip above ${SLOW_ROUND_TRIP_MS} ms: what it costs a call`, () => {
    const slow = byId("postgres://u@h/db", { latencyMs: { median: 40, samples: [38, 40, 45, 39, 41] } })(
      "data.latency",
    );
    expect(slow.status).toBe("warn");
    expect(slow.detail).toContain("200-400 ms");
  });

  test("a far host without TLS is warned; loopback is not; TLS in use is ok", () => {
    expect(byId("postgres://u@db.example.com/db")("data.tls")).toMatchObject({ status: "warn" });
    expect(byId("postgres://u@db.example.com/db")("data.tls").fix).toContain("sslmode=verify-full");
    expect(byId("postgres://u@localhost/db")("data.tls").status).toBe("ok");
    expect(byId("postgres://u@[::1]/db")("data.tls").status).toBe("ok");
    const tls = byId("postgres://u@db.example.com/db?sslmode=require", { tls: true })("data.tls");
    expect(tls.status).toBe("ok");
    expect(tls.detail).toContain("not verified");
  });

  test("pool settings come from the URL; a disabled statement_timeout or a pool as big as the server is warned", () => {
    const f = byId("postgres://u@h/db?pool_max=3&statement_timeout=1000&connect_timeout=500")("data.pool");
    expect(f.detail).toContain("pool_max 3, statement_timeout 1000 ms, connect_timeout 500 ms");
    expect(byId("postgres://u@h/db?statement_timeout=0")("data.pool").status).toBe("warn");
    expect(byId("postgres://u@h/db?pool_max=100")("data.pool").status).toBe("warn");
  });

  test(`a clock more than ${CLOCK_OFFSET_MS} ms off: warned, saying leases use the database's clock`, () => {
    const f = byId("postgres://u@h/db", { clock: { offsetMs: -4500, rttMs: 1 } })("data.clock");
    expect(f.status).toBe("warn");
    expect(f.detail).toContain("-4.5 s");
    expect(f.detail).toContain("leases use the database's clock");
    expect(f.fix).toContain("NTP");
  });
});
