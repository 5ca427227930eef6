/** Volatile values of a captured run (ids, timestamps, paths, pids, sizes) replaced by placeholders. */
import { basename } from "node:path";
import { folderProjectId } from "../../src/core/project-id.ts";

/** Longest string value shown in an example result; prompts and reports are cut here. */
const MAX_STRING = 300;
/** Longest text content shown: it is multi-line, so it gets more room than one value. */
const MAX_TEXT = 800;

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface Normalizer {
  /** A JSON value with volatile values replaced and long strings cut. */
  json(v: unknown): Json;
  /** A result's text content, treated the same way with more room. */
  text(s: string): string;
}

/** Values that differ per run or machine, by the key that holds them. */
const VOLATILE_KEYS: Readonly<Record<string, string>> = {
  pid: "<pid>",
  supervisor_pid: "<pid>",
  worker_pid: "<pid>",
  old_pid: "<pid>",
  new_pid: "<pid>",
  uptime_seconds: "<seconds>",
  rss_mib: "<MiB>",
  size: "<bytes>",
  size_bytes: "<bytes>",
  wal_bytes: "<bytes>",
  duration_ms: "<ms>",
  round_trip_ms: "<ms>",
  sha256: "<sha256>",
  version: "<version>",
  runtime: "<runtime>",
};

export function makeNormalizer(workspace: string): Normalizer {
  const ids = new Map<string, string>();
  const counts = new Map<string, number>();
  const idFor = (raw: string, kind: string): string => {
    let id = ids.get(raw);
    if (!id) {
      const n = (counts.get(kind) ?? 0) + 1;
      counts.set(kind, n);
      id = n === 1 ? `<${kind}_id>` : `<${kind}_id_${n}>`;
      ids.set(raw, id);
    }
    return id;
  };
  const runtime = `bun ${Bun.version}`;
  const text = (s: string, limit = MAX_STRING): string => {
    const out = s
      .replaceAll(folderProjectId(basename(workspace)), "<project>")
      .replaceAll(workspace, "<workspace>")
      .replaceAll(runtime, "<runtime>")
      .replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\b/g, "<timestamp>")
      .replace(/\btask_[0-9a-f]{8}\b/g, (m) => idFor(m, "plan"))
      .replace(/\bartifact_[0-9a-f]{8}\b/g, (m) => idFor(m, "artifact"))
      .replace(/\b([a-z][a-z0-9-]*)_[0-9a-f]{6}\b/g, (m) => idFor(m, "task"))
      .replace(/#[0-9a-f]{6}\b/g, "#<connection>")
      .replace(/orchestrator \S+ \(<runtime>\)/g, "orchestrator <version> (<runtime>)")
      .replace(/\bup \d+s\b/g, "up <seconds>s")
      .replace(/\b[\d.]+ MiB\b/g, "<MiB> MiB")
      .replace(/\b\d+ bytes\b/g, "<bytes> bytes")
      .replace(/\+\d+ WAL\b/g, "+<bytes> WAL");
    return out.length > limit ? `${out.slice(0, limit)}…` : out;
  };
  const walk = (v: unknown, key: string | undefined): Json => {
    if (key !== undefined && key in VOLATILE_KEYS && v !== null && typeof v !== "object") {
      return VOLATILE_KEYS[key] ?? null;
    }
    if (typeof v === "string") return text(v);
    if (typeof v === "number" || typeof v === "boolean" || v === null) return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, undefined));
    if (typeof v === "object") {
      return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, walk(x, k)]));
    }
    return null;
  };
  return { json: (v) => walk(v, undefined), text: (s) => text(s, MAX_TEXT) };
}
