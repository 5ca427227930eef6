// Replaced at build time by scripts/build.ts (bun build --define); unbuilt runs see the fallbacks.
declare const __ORCHESTRATOR_VERSION__: string | undefined;
declare const __ORCHESTRATOR_COMMIT__: string | undefined;
declare const __ORCHESTRATOR_TARGET__: string | undefined;

/** What this binary is; nothing here is read from package.json at run time. */
export const BUILD_INFO: Readonly<{ version: string; commit: string; target: string }> = {
  version: typeof __ORCHESTRATOR_VERSION__ === "string" ? __ORCHESTRATOR_VERSION__ : "0.0.0-dev",
  commit: typeof __ORCHESTRATOR_COMMIT__ === "string" ? __ORCHESTRATOR_COMMIT__ : "unknown",
  target: typeof __ORCHESTRATOR_TARGET__ === "string" ? __ORCHESTRATOR_TARGET__ : "source",
};
