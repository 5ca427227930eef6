import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { dashboardAsset, dashboardAssets } from "../../src/dashboard/assets.ts";

const ROOT = join(import.meta.dir, "..", "..");
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** The Deno executable from the `deno` dev dependency (its platform package). */
function denoBinary(): string | undefined {
  const scope = join(ROOT, "node_modules", "@deno");
  if (!existsSync(scope)) return undefined;
  for (const pkg of readdirSync(scope)) {
    const exe = join(scope, pkg, process.platform === "win32" ? "deno.exe" : "deno");
    if (existsSync(exe)) return exe;
  }
  return undefined;
}

describe("the dashboard's assets", () => {
  test("from source under Bun: bundled on first use, the same map afterwards", async () => {
    const assets = await dashboardAssets();
    expect([...assets.keys()].sort()).toEqual(["app.css", "app.js", "index.html"]);
    expect(await dashboardAssets()).toBe(assets);
    for (const [name, a] of assets) {
      expect([name, text(gunzipSync(a.gzip))]).toEqual([name, text(a.body)]);
      expect(a.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
      expect(a.gzip.length).toBeLessThan(a.body.length);
    }
    expect(assets.get("app.js")!.contentType).toStartWith("text/javascript");
    expect(assets.get("app.css")!.contentType).toStartWith("text/css");
    expect(assets.get("index.html")!.contentType).toStartWith("text/html");
    // One file, minified, the libraries inside, no source map or code-split chunk import.
    const js = text(assets.get("app.js")!.body);
    expect(js).not.toContain("sourceMappingURL");
    expect(js).not.toMatch(/\bimport\s*\(|^import /m);
  }, 30_000);

  test("index.html holds no inline script or style and only relative URLs (CSP: 'self' only)", async () => {
    const html = text((await dashboardAssets()).get("index.html")!.body);
    expect(html).toContain('<script type="module" src="app.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="app.css">');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    for (const [, url] of html.matchAll(/(?:src|href)="([^"]*)"/g)) expect(url).toMatch(/^(#|data:,$|app\.)/);
    // The DOM hooks the browser tests rely on.
    for (const hook of [
      'id="main"',
      'id="error"',
      'id="live"',
      'id="confirm"',
      "data-confirm",
      "data-cancel",
    ]) {
      expect(html).toContain(hook);
    }
  });

  test("the stylesheet loads nothing: no @import, no url() but data:", async () => {
    const css = text((await dashboardAssets()).get("app.css")!.body);
    expect(css).not.toContain("@import");
    for (const [, url] of css.matchAll(/url\(\s*["']?([^"')]*)/g)) expect(url).toStartWith("data:");
  });

  test("an asset the build precomputed keeps its gzip and ETag", () => {
    const built = dashboardAsset("hello", "text/plain");
    const again = dashboardAsset("hello", "text/plain", {
      gzipBase64: Buffer.from(built.gzip).toString("base64"),
      etag: built.etag,
    });
    expect(again).toEqual(built);
  });

  test("from source under Deno: DASHBOARD_NOT_BUILT, with the fix", () => {
    const deno = denoBinary();
    expect(deno).toBeDefined();
    const script = `import { dashboardAssets } from ${JSON.stringify(join(ROOT, "src", "dashboard", "assets.ts"))};
try { await dashboardAssets(); console.log("no error"); } catch (e) { console.log(e.code + ": " + e.message); }`;
    const r = spawnSync(deno!, ["eval", "--quiet", "--ext=ts", script], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DENO_NO_UPDATE_CHECK: "1" },
      timeout: 30_000,
    });
    expect(r.stdout).toContain("DASHBOARD_NOT_BUILT: ");
    expect(r.stdout).toContain("compiled orchestrator binary");
  }, 40_000);
});
