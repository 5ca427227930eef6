/**
 * `bun run arch`: the architecture rules of AGENTS.md (see scripts/arch/rules.ts), held against
 * src/ with the known violations of scripts/arch-allow.json. Exits 1 on a new violation or a
 * stale allowlist entry. `--root <dir>` checks another tree (the checker's own test).
 */
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { AllowlistSchema, judge, renderVerdict } from "./arch/allowlist.ts";
import { findViolations } from "./arch/rules.ts";

const args = process.argv.slice(2);
const rootArg = args.indexOf("--root");
const root = rootArg >= 0 ? args[rootArg + 1]! : join(import.meta.dir, "..");
const allowPath = join(root, "scripts", "arch-allow.json");
const allow = existsSync(allowPath)
  ? AllowlistSchema.parse(JSON.parse(readFileSync(allowPath, "utf8")))
  : { allow: {} };
const verdict = judge(findViolations(root), allow);
const report = renderVerdict(verdict, relative(root, allowPath).replaceAll("\\", "/"));
const failed = verdict.unexpected.length > 0 || verdict.stale.length > 0;
(failed ? console.error : console.log)(report);
process.exitCode = failed ? 1 : 0;
