import { z } from "zod";
import { RULES, type Rule, type Violation } from "./rules.ts";

/**
 * Known violations, by rule then file, waiting for the refactor that removes them. Entries may
 * only go: one that no longer occurs fails the check too, so the list cannot outlive its reason.
 */
export const AllowlistSchema = z.strictObject({
  $comment: z.string().optional(),
  allow: z.partialRecord(z.enum(Object.keys(RULES) as [Rule, ...Rule[]]), z.array(z.string())),
});
export type Allowlist = z.infer<typeof AllowlistSchema>;

export interface Verdict {
  /** Violations no entry allows. */
  readonly unexpected: readonly Violation[];
  /** Violations an entry allows. */
  readonly allowed: readonly Violation[];
  /** Entries with no violation left: remove them. */
  readonly stale: readonly { rule: Rule; file: string }[];
}

export function judge(violations: readonly Violation[], allow: Allowlist): Verdict {
  const allowedKeys = new Set<string>();
  for (const [rule, files] of Object.entries(allow.allow)) {
    for (const file of files ?? []) allowedKeys.add(`${rule}\t${file}`);
  }
  const seen = new Set(violations.map((v) => `${v.rule}\t${v.file}`));
  return {
    unexpected: violations.filter((v) => !allowedKeys.has(`${v.rule}\t${v.file}`)),
    allowed: violations.filter((v) => allowedKeys.has(`${v.rule}\t${v.file}`)),
    stale: [...allowedKeys]
      .filter((k) => !seen.has(k))
      .sort()
      .map((k) => {
        const [rule, file] = k.split("\t") as [Rule, string];
        return { rule, file };
      }),
  };
}

/** The report a person reads when the check fails: what broke which rule, and what to remove. */
export function renderVerdict(verdict: Verdict, allowFile: string): string {
  const lines: string[] = [];
  if (verdict.unexpected.length > 0) {
    lines.push(`Architecture check: ${verdict.unexpected.length} violation(s):`);
    let rule: string | undefined;
    for (const v of verdict.unexpected) {
      if (v.rule !== rule) {
        rule = v.rule;
        lines.push(`  ${v.rule} (${RULES[v.rule]}):`);
      }
      lines.push(`    ${v.file}: ${v.detail}`);
    }
  }
  if (verdict.stale.length > 0) {
    lines.push(`Allowlisted in ${allowFile} but no longer found; remove it from the allowlist:`);
    for (const s of verdict.stale) lines.push(`    ${s.rule}: ${s.file}`);
  }
  if (lines.length === 0) {
    const entries = new Set(verdict.allowed.map((v) => `${v.rule}\t${v.file}`)).size;
    lines.push(
      `Architecture check passed (${Object.keys(RULES).length} rules; ${entries} allowlisted entr${entries === 1 ? "y" : "ies"} in ${allowFile} still to remove).`,
    );
  }
  return lines.join("\n");
}
