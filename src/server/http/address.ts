import { isIP } from "node:net";
import { OrchestratorError } from "../../core/errors.ts";

/** Where `serve --http` listens: `[HOST:]PORT`, `[v6]:PORT`; the host defaults to 127.0.0.1. */
export interface BindAddress {
  readonly host: string;
  readonly port: number;
}

/** Parses `--http [HOST:]PORT`; a usage error names the accepted shapes. */
export function parseBindAddress(raw: string): BindAddress {
  const bad = (): never => {
    throw new OrchestratorError(
      "USAGE",
      `--http must be PORT or HOST:PORT (e.g. 8080, 127.0.0.1:8080, 0.0.0.0:8080, [::1]:8080), got '${raw.slice(0, 100)}'.`,
    );
  };
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]*)):(\d{1,5})$/.exec(raw) ?? /^()()(\d{1,5})$/.exec(raw);
  if (!m) return bad();
  const host = m[1] || m[2] || "127.0.0.1";
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port > 65_535) return bad();
  if (m[1] !== undefined && m[1] !== "" && isIP(m[1]) !== 6) return bad();
  return { host, port };
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  if (h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  return isIP(h) === 4 && h.startsWith("127.");
}

/** `host:port` as it appears in a URL (IPv6 in brackets). */
export function hostPort(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}
