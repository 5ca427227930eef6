import { describe, expect, test } from "bun:test";
import { OrchestratorError } from "../../src/core/errors.ts";
import { isDatabaseUrl, isPostgresUrl, parsePostgresUrl, redactUrl } from "../../src/store/postgres/url.ts";

function usage(url: string): string {
  try {
    parsePostgresUrl(url);
  } catch (e) {
    expect(e).toBeInstanceOf(OrchestratorError);
    expect((e as OrchestratorError).code).toBe("USAGE");
    return (e as Error).message;
  }
  throw new Error(`${url} was accepted`);
}

describe("PostgreSQL URLs", () => {
  test("defaults, our parameters, and TLS modes", () => {
    const o = parsePostgresUrl("postgresql://me:p%40ss@db.example:6543/team");
    expect(o).toMatchObject({
      host: "db.example",
      port: 6543,
      database: "team",
      user: "me",
      password: "p@ss",
      poolMax: 10,
      statementTimeoutMs: 30_000,
      connectTimeoutMs: 10_000,
      applicationName: "orchestrator",
      sslmode: "prefer",
      ssl: false,
    });
    expect(o.redacted).toBe("postgresql://me:***@db.example:6543/team");
    const t = parsePostgresUrl(
      "postgres://h/db?sslmode=verify-full&pool_max=3&statement_timeout=500&connect_timeout=200&application_name=ci",
    );
    expect(t).toMatchObject({
      user: "postgres",
      port: 5432,
      poolMax: 3,
      statementTimeoutMs: 500,
      connectTimeoutMs: 200,
      applicationName: "ci",
      ssl: { rejectUnauthorized: true, checkHost: true },
    });
    expect(parsePostgresUrl("postgres://h/db?sslmode=require").ssl).toEqual({
      rejectUnauthorized: false,
      checkHost: false,
    });
    expect(parsePostgresUrl("postgres://h/db?sslmode=verify-ca").ssl).toEqual({
      rejectUnauthorized: true,
      checkHost: false,
    });
  });

  test("what is wrong is named, the password never", () => {
    const cases: [string, string][] = [
      ["mysql://u:pw-1@h/db", "scheme"],
      ["postgres://u:pw-1@h:notaport/db", "not a valid URL"],
      ["postgres://u:pw-1@h/", "names no database"],
      ["postgres://u:pw-1@h/db?sslmode=maybe", "sslmode=maybe"],
      ["postgres://u:pw-1@h/db?pool_max=0", "pool_max=0"],
      ["postgres://u:pw-1@h/db?pool_max=2.5", "pool_max=2.5"],
      ["postgres://u:pw-1@h/db?statement_timeout=-1", "statement_timeout"],
      ["postgres://u:pw-1@h/db?options=-c%20x", "unknown parameter options"],
    ];
    for (const [url, says] of cases) {
      const message = usage(url);
      expect(message).toContain(says);
      expect(message).not.toContain("pw-1");
    }
  });

  test("redaction hides a password holding @ or : whole, and leaves URLs without one alone", () => {
    expect(redactUrl("postgres://u:a@b:c@h/db")).toBe("postgres://u:***@h/db");
    expect(redactUrl("postgres://u@h/db")).toBe("postgres://u@h/db");
    expect(redactUrl("postgres://h/db?x=a:b@c")).toBe("postgres://h/db?x=a:b@c");
    expect(isPostgresUrl("POSTGRES://h/db")).toBe(true);
    expect(isPostgresUrl("/tmp/x.db")).toBe(false);
    expect(isDatabaseUrl("mysql://h/db")).toBe(true);
    expect(isDatabaseUrl("C:\\data\\x.db")).toBe(false);
  });
});
