/**
 * The dashboard front end's size, per served asset, raw and gzipped (issue 15: "keep the shipped
 * assets small, report their gzipped size in bun run bench"). The assets are bundled exactly as
 * scripts/build.ts embeds them (src/dashboard/bundle.ts, gzip level 9). Alone:
 * `bun bench/dashboard-assets.ts`. Prints; asserts nothing.
 */
import { dashboardAssets } from "../src/dashboard/assets.ts";

export interface DashboardAssetSize {
  readonly name: string;
  readonly raw_bytes: number;
  readonly gzip_bytes: number;
}

export interface DashboardAssetSizes {
  readonly assets: readonly DashboardAssetSize[];
  readonly total_raw_bytes: number;
  readonly total_gzip_bytes: number;
}

export async function dashboardAssetSizes(): Promise<DashboardAssetSizes> {
  const assets = [...(await dashboardAssets())]
    .map(([name, a]) => ({ name, raw_bytes: a.body.length, gzip_bytes: a.gzip.length }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    assets,
    total_raw_bytes: assets.reduce((n, a) => n + a.raw_bytes, 0),
    total_gzip_bytes: assets.reduce((n, a) => n + a.gzip_bytes, 0),
  };
}

const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;

export function printDashboardAssetSizes(s: DashboardAssetSizes): void {
  console.log(
    `dashboard assets: ${s.assets.map((a) => `${a.name} ${kib(a.raw_bytes)} (${kib(a.gzip_bytes)} gzip)`).join(", ")}; total ${kib(s.total_raw_bytes)} (${kib(s.total_gzip_bytes)} gzip)`,
  );
}

if (import.meta.main) printDashboardAssetSizes(await dashboardAssetSizes());
