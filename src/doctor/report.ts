import { z } from "zod";

/**
 * The doctor's report: one schema for the printed report and `doctor --json`, so both carry the
 * same data and tests can validate the JSON against it.
 */
export const CheckStatusSchema = z.enum(["ok", "warn", "fail", "skip"]);
export type CheckStatus = z.infer<typeof CheckStatusSchema>;

export const AreaSchema = z.enum(["binary", "data", "roles", "clients", "live", "environment"]);
export type Area = z.infer<typeof AreaSchema>;

export const CheckResultSchema = z.object({
  /** Stable id, e.g. `clients.cursor.entry`: scripts may key on it. */
  id: z.string(),
  area: AreaSchema,
  title: z.string(),
  status: CheckStatusSchema,
  detail: z.string(),
  /** What a person should do; present on every warn and fail. */
  fix: z.string().nullable(),
  /** True when `doctor --fix` can repair it safely (through the installer's pipeline, with a backup). */
  fixable: z.boolean(),
  duration_ms: z.number(),
});
export type CheckResult = z.infer<typeof CheckResultSchema>;

export const DoctorReportSchema = z.object({
  version: z.string(),
  verdict: CheckStatusSchema.exclude(["skip"]),
  summary: z.string(),
  counts: z.object({ ok: z.number(), warn: z.number(), fail: z.number(), skip: z.number() }),
  duration_ms: z.number(),
  checks: z.array(CheckResultSchema),
  fixes: z.array(z.object({ check: z.string(), result: z.string(), ok: z.boolean() })),
});
export type DoctorReport = z.infer<typeof DoctorReportSchema>;

/** A check's result before timing is added. */
export type Finding = Omit<CheckResult, "duration_ms" | "fixable"> & { fixable?: boolean };

export const ok = (area: Area, id: string, title: string, detail: string): Finding => ({
  id,
  area,
  title,
  status: "ok",
  detail,
  fix: null,
});
export const skip = (area: Area, id: string, title: string, detail: string): Finding => ({
  id,
  area,
  title,
  status: "skip",
  detail,
  fix: null,
});
export const warn = (area: Area, id: string, title: string, detail: string, fix: string): Finding => ({
  id,
  area,
  title,
  status: "warn",
  detail,
  fix,
});
export const fail = (area: Area, id: string, title: string, detail: string, fix: string): Finding => ({
  id,
  area,
  title,
  status: "fail",
  detail,
  fix,
});
