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
 * Placeholder until the build step lands (issue 15, web front end): the assets are provided by
 * the build (scripts/build.ts) and, in an unbuilt run under Bun, bundled on first use.
 */
let provided: DashboardAssets | undefined;

/** Called by the compiled binary's entry with the assets the build bundled. */
export function provideDashboardAssets(assets: DashboardAssets): void {
  provided = assets;
}

/** The front end's files. */
export async function dashboardAssets(): Promise<DashboardAssets> {
  if (provided) return provided;
  throw new Error("the dashboard's assets are not built yet");
}
