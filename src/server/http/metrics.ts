/**
 * `/metrics` in the Prometheus text exposition format (version 0.0.4), kept in this process: no
 * client library, since five metric families do not need one. Label values come partly from
 * callers (a tool name), so the number of series is capped and the values escaped.
 */
export interface Metrics {
  /** One answered /mcp request: its tool (or JSON-RPC method), outcome and duration. */
  request(what: string, outcome: string, seconds: number): void;
  /** A store failure reported to a caller, by catalogue code. */
  storeError(code: string): void;
  /** The server reopened its stores or restarted its worker (SIGHUP, orchestrator_restart_server). */
  restarted(): void;
  /** The exposition text; `claimsHeld` is read from the store by the caller (undefined: no store). */
  render(claimsHeld: number | undefined): string;
}

/** Upper bounds (seconds) of the latency buckets: a claim takes milliseconds, a big artifact seconds. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;
/** Distinct tool labels kept; calls naming more (made-up tool names) are counted under `other`. */
const MAX_TOOLS = 100;

/** The store's failures, as the catalogue names them (src/core/errors.ts). */
export function isStoreErrorCode(code: string): boolean {
  return code.startsWith("STORE_") || code === "DISK_FULL";
}

interface Histogram {
  readonly buckets: number[];
  sum: number;
  count: number;
}

export function createMetrics(): Metrics {
  const requests = new Map<string, number>();
  const latency = new Map<string, Histogram>();
  const storeErrors = new Map<string, number>();
  let restarts = 0;
  const toolLabel = (what: string): string =>
    latency.has(what) || latency.size < MAX_TOOLS ? what : "other";
  return {
    request(what, outcome, seconds) {
      const tool = toolLabel(what);
      const key = `${label("tool", tool)},${label("outcome", outcome)}`;
      requests.set(key, (requests.get(key) ?? 0) + 1);
      let h = latency.get(tool);
      if (!h) {
        h = { buckets: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 };
        latency.set(tool, h);
      }
      LATENCY_BUCKETS.forEach((le, i) => {
        if (seconds <= le) h.buckets[i]! += 1;
      });
      h.sum += seconds;
      h.count += 1;
    },
    storeError(code) {
      storeErrors.set(code, (storeErrors.get(code) ?? 0) + 1);
    },
    restarted() {
      restarts += 1;
    },
    render(claimsHeld) {
      const out: string[] = [];
      family(
        out,
        "orchestrator_http_requests_total",
        "counter",
        "Requests to /mcp by tool (or JSON-RPC method) and outcome.",
      );
      for (const [k, n] of requests) out.push(`orchestrator_http_requests_total{${k}} ${n}`);
      family(
        out,
        "orchestrator_http_request_duration_seconds",
        "histogram",
        "Time from a request's arrival to its answer, by tool (or JSON-RPC method).",
      );
      for (const [tool, h] of latency) {
        const t = label("tool", tool);
        for (const [i, le] of LATENCY_BUCKETS.entries()) {
          out.push(`orchestrator_http_request_duration_seconds_bucket{${t},le="${le}"} ${h.buckets[i]}`);
        }
        out.push(`orchestrator_http_request_duration_seconds_bucket{${t},le="+Inf"} ${h.count}`);
        out.push(`orchestrator_http_request_duration_seconds_sum{${t}} ${h.sum}`);
        out.push(`orchestrator_http_request_duration_seconds_count{${t}} ${h.count}`);
      }
      if (claimsHeld !== undefined) {
        family(
          out,
          "orchestrator_claims_held",
          "gauge",
          "Tasks claimed under an unexpired lease, in the server's database.",
        );
        out.push(`orchestrator_claims_held ${claimsHeld}`);
      }
      family(
        out,
        "orchestrator_store_errors_total",
        "counter",
        "Store failures reported to callers, by error code.",
      );
      for (const [code, n] of storeErrors)
        out.push(`orchestrator_store_errors_total{${label("code", code)}} ${n}`);
      family(
        out,
        "orchestrator_restarts_total",
        "counter",
        "Restarts of the server's worker since the process started.",
      );
      out.push(`orchestrator_restarts_total ${restarts}`);
      return `${out.join("\n")}\n`;
    },
  };
}

function family(out: string[], name: string, type: string, help: string): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
}

/** `name="value"` with the exposition format's escapes (backslash, double quote, newline). */
function label(name: string, value: string): string {
  return `${name}="${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}
