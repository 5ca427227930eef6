import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { OrchestratorError } from "../core/errors.ts";
import { detectRuntime } from "../platform/env.ts";

/**
 * The dashboard's front end (src/dashboard/web/), bundled at build time and embedded in the
 * binary (issue 15): the HTTP layer serves these and nothing else, from the serving origin.
 * Paths are relative to the dashboard's base ("index.html", "app.js", "app.css", ...).
 */
export interface DashboardAsset {
  readonly body: Uint8Array;
  /** gzip of `body`, served to clients that accept it. */
  readonly gzip: Uint8Array;
  readonly contentType: string;
  /** A strong ETag (quoted hash of the body). */
  readonly etag: string;
}

export type DashboardAssets = ReadonlyMap<string, DashboardAsset>;

/*
 * The compiled binary's entry (dist/entry.gen.ts, written by scripts/build.ts) imports a module
 * that calls provideDashboardAssets before bin/orchestrator.ts runs main, so the bundle the
 * build made is here before any command asks. From source under Bun the front end is bundled on
 * first use instead (src/dashboard/bundle.ts, once per process).
 */
let provided: DashboardAssets | undefined;
let embedded: (() => DashboardAssets) | undefined;
let bundling: Promise<DashboardAssets> | undefined;

/**
 * Called by the compiled binary's entry with the assets the build bundled, as a function: every
 * start of the binary (serve's supervisor and worker, each CLI command) passes here, and only a
 * dashboard needs the files decoded.
 */
export function provideDashboardAssets(assets: () => DashboardAssets): void {
  embedded = assets;
}

/** The front end's files. */
export async function dashboardAssets(): Promise<DashboardAssets> {
  if (provided) return provided;
  if (embedded) {
    provided = embedded();
    return provided;
  }
  if (detectRuntime() !== "bun") {
    throw new OrchestratorError(
      "DASHBOARD_NOT_BUILT",
      `the dashboard's front end is bundled by Bun: run the compiled orchestrator binary (or Bun from a checkout), not ${detectRuntime()}`,
    );
  }
  bundling ??= import("./bundle.ts")
    .then(async (m) => {
      const files = await m.bundleDashboard();
      return new Map(Object.entries(files).map(([name, f]) => [name, dashboardAsset(f.text, f.contentType)]));
    })
    .catch((e: unknown) => {
      bundling = undefined;
      throw e;
    });
  provided = await bundling;
  return provided;
}

/**
 * One served file from its text: body, gzip and a strong ETag. The build passes the gzip and
 * ETag it computed, so a starting binary only decodes them.
 */
export function dashboardAsset(
  text: string,
  contentType: string,
  built?: { readonly gzipBase64: string; readonly etag: string },
): DashboardAsset {
  const body = new TextEncoder().encode(text);
  if (built) {
    return {
      body,
      gzip: new Uint8Array(Buffer.from(built.gzipBase64, "base64")),
      contentType,
      etag: built.etag,
    };
  }
  return { body, gzip: new Uint8Array(gzipSync(body, { level: 9 })), contentType, etag: assetEtag(body) };
}

/** A strong ETag: the quoted (shortened) sha256 of the body. */
export function assetEtag(body: Uint8Array): string {
  return `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
}
