import { existsSync } from "node:fs";
import { databaseWriteBlockers } from "../platform/permissions.ts";
import { type OpenOptions, openEmptyStore, openStore, type Store } from "./open.ts";
import { isPostgresUrl, redactUrl } from "./postgres/url.ts";

/** A SQLite file or a PostgreSQL URL; the PostgreSQL adapter (and pg) load only for a URL. */
function openTarget(target: string, opts: OpenOptions): Promise<Store> {
  if (!isPostgresUrl(target)) return openStore(target, opts);
  return import("./postgres/open.ts").then((m) => m.openPostgresStore(target));
}

/** Opens each database once per process and hands the same Store to every caller. */
export class StoreCache {
  readonly #open = new Map<string, Promise<Store>>();
  #empty: Promise<Store> | undefined;
  readonly #readUnwritable: boolean;
  readonly #options: OpenOptions;

  /**
   * `readUnwritable`: reads of a database this user cannot write open it read-only instead of
   * refusing (the CLI's reading commands). The server keeps refusing with STORE_READ_ONLY, since
   * its store is shared with the writes of the same connection.
   */
  constructor(opts: { readonly readUnwritable?: boolean } & OpenOptions = {}) {
    this.#readUnwritable = opts.readUnwritable ?? false;
    this.#options = { commitInHalves: opts.commitInHalves };
  }

  /** The store at `path`: a SQLite file, or a postgres:// / postgresql:// URL. */
  get(path: string): Promise<Store> {
    let p = this.#open.get(path);
    if (!p) {
      p = openTarget(path, this.#options);
      p.catch(() => this.#open.delete(path));
      this.#open.set(path, p);
    }
    return p;
  }

  /**
   * The store for a read-only call: the database when it exists, else an empty in-memory stand-in
   * (shared, never written), so a read in a workspace without data creates no file or folder.
   */
  forReading(path: string): Promise<Store> {
    // A server's database always exists for reads: an empty one answers "nothing" by itself.
    if (this.#open.has(path) || isPostgresUrl(path)) return this.get(path);
    if (existsSync(path)) {
      if (!this.#readUnwritable || databaseWriteBlockers(path).length === 0) return this.get(path);
      const p = import("./open-snapshot.ts").then((m) => m.openSnapshotStore(path));
      p.catch(() => this.#open.delete(path));
      this.#open.set(path, p);
      return p;
    }
    this.#empty ??= openEmptyStore(":memory:");
    return this.#empty.then((s) => ({ ...s, path, close: async () => {} }));
  }

  /** Paths (or URLs) of the databases opened so far. */
  paths(): string[] {
    return [...this.#open.keys()].map(redactUrl);
  }

  async closeAll(): Promise<void> {
    const all = [...this.#open.values(), ...(this.#empty ? [this.#empty] : [])];
    this.#open.clear();
    this.#empty = undefined;
    await Promise.all(all.map((p) => p.then((s) => s.close()).catch(() => {})));
  }
}
