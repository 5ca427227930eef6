import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/*
 * Bundles the front end (src/dashboard/web/) into the three files the dashboard serves: one
 * minified browser JS file (dagre, marked and DOMPurify inside, no code splitting, no source
 * map), the stylesheet (minified) and index.html. Used by scripts/build.ts, which embeds the
 * result in the binary, and by an unbuilt `bun bin/orchestrator.ts ui` on first use. Bun only.
 */
export interface BundledFile {
  readonly text: string;
  readonly contentType: string;
}

const WEB = (name: string): string => fileURLToPath(new URL(`./web/${name}`, import.meta.url));

export async function bundleDashboard(): Promise<Record<string, BundledFile>> {
  const result = await Bun.build({
    entrypoints: [WEB("main.ts"), WEB("styles.css")],
    target: "browser",
    format: "esm",
    minify: true,
    splitting: false,
    sourcemap: "none",
    // The front end reads no process.env; nothing of the build machine's environment goes in.
    env: "disable",
  });
  if (!result.success) {
    throw new Error(`the dashboard's bundle failed:\n${result.logs.map((l) => String(l)).join("\n")}`);
  }
  let js: string | undefined;
  let css: string | undefined;
  for (const out of result.outputs) {
    if (out.path.endsWith(".js") && out.kind === "entry-point") js = await out.text();
    else if (out.path.endsWith(".css")) css = await out.text();
  }
  if (js === undefined || css === undefined)
    throw new Error("the dashboard's bundle is missing its JS or CSS");
  return {
    "index.html": { text: readFileSync(WEB("index.html"), "utf8"), contentType: "text/html; charset=utf-8" },
    "app.js": { text: js, contentType: "text/javascript; charset=utf-8" },
    "app.css": { text: css, contentType: "text/css; charset=utf-8" },
  };
}
