import { describe, expect, test } from "bun:test";
import { createMetrics, isStoreErrorCode, LATENCY_BUCKETS } from "../../src/server/http/metrics.ts";
import { parseExposition, sample } from "../helpers/prometheus.ts";

describe("/metrics registry", () => {
  test("store errors by code, restarts, and buckets counted where they belong", () => {
    const m = createMetrics();
    m.request("orchestrator_plan_task", "ok", 0.003);
    m.request("orchestrator_plan_task", "ok", 0.2);
    m.storeError("STORE_CONFLICT");
    m.storeError("STORE_CONFLICT");
    m.restarted();
    const e = parseExposition(m.render(3));
    const t = 'tool="orchestrator_plan_task"';
    expect(sample(e, `orchestrator_http_request_duration_seconds_bucket{${t},le="0.005"}`)).toBe(1);
    expect(sample(e, `orchestrator_http_request_duration_seconds_bucket{${t},le="0.25"}`)).toBe(2);
    expect(sample(e, `orchestrator_http_request_duration_seconds_count{${t}}`)).toBe(2);
    expect(sample(e, 'orchestrator_store_errors_total{code="STORE_CONFLICT"}')).toBe(2);
    expect(sample(e, "orchestrator_restarts_total")).toBe(1);
    expect(sample(e, "orchestrator_claims_held")).toBe(3);
    const bounds: number[] = [...LATENCY_BUCKETS];
    expect(bounds).toEqual([...bounds].sort((a, b) => a - b));
  });

  test("made-up tool names beyond the cap share one series, so memory stays bounded", () => {
    const m = createMetrics();
    for (let i = 0; i < 1000; i++) m.request(`made_up_${i}`, "protocol_error", 0.001);
    const e = parseExposition(m.render(undefined));
    const series = [...e.samples.keys()].filter((k) => k.startsWith("orchestrator_http_requests_total"));
    expect(series.length).toBe(101);
    expect(sample(e, 'orchestrator_http_requests_total{tool="other",outcome="protocol_error"}')).toBe(900);
    expect(e.types.has("orchestrator_claims_held")).toBe(false);
  });

  test("store error codes are the store's", () => {
    expect(isStoreErrorCode("STORE_CONNECTION_LOST")).toBe(true);
    expect(isStoreErrorCode("DISK_FULL")).toBe(true);
    expect(isStoreErrorCode("TASK_NOT_FOUND")).toBe(false);
  });
});
