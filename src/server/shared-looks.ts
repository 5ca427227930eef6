/**
 * How long after it was taken a look at a workspace's files may still be handed to a call that
 * starts while the call that took it is in flight.
 */
export const SHARE_LOOK_MS = 100;

/**
 * The looks of one connection's calls in flight, per workspace (issue 16). Every call used to
 * take its own look at the workspace's files before touching the store (the workspace's stat,
 * settings.yaml, .git, the data folder's wall, the roles folder): ~8 syscalls, the same answers
 * for each of 8 calls in flight. The rule:
 *
 * - A call that starts while another call of this connection on the same workspace is in flight,
 *   and whose look is at most `maxAgeMs` old, uses that look.
 * - Otherwise it takes a new one. So a client calling one at a time (each call after the previous
 *   answer) gets a fresh look per call, and every sequential guarantee holds: a settings.yaml
 *   edit applies to the next call, a removed workspace fails it with WORKSPACE_NOT_FOUND, a
 *   symlink planted in the data folder is refused by it.
 * - A call ends (`end`) before its answer is sent, so no call that starts after an answer can
 *   count the answered call as in flight.
 *
 * What it costs: a call that overlaps others may not see a change made in the last `maxAgeMs`
 * before it started, as if it had started that much earlier, alongside the call that took the
 * look. Calls in flight together have no order among themselves; a client that needs one (an
 * edit, then a call that sees it) waits for its calls' answers, as it must anyway. The wall is
 * not thinned: what a shared look proved (the data folder and the database's path) is not
 * proved again, and every other path is checked when it is written.
 *
 * One per connection, never per process: another client's calls are no reason for this one's
 * to see older files. Over HTTP each request is a Session of its own, so nothing is shared.
 */
export class SharedLooks<Look> {
  readonly #open = new Map<string, { readonly look: Look; readonly at: number; users: number }>();
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  constructor(opts: { readonly maxAgeMs?: number; readonly now?: () => number } = {}) {
    this.#maxAgeMs = opts.maxAgeMs ?? SHARE_LOOK_MS;
    this.#now = opts.now ?? Date.now;
  }

  /**
   * The look for a call on `key` starting now: a call's in flight, young enough, else a new one
   * from `take`. `end` once the call is done and before its answer is sent. `fresh`: a new one
   * whatever is in flight (the caller found the shared one out of date), handed on from then.
   */
  begin(
    key: string,
    take: () => Look,
    opts: { readonly fresh?: boolean } = {},
  ): { readonly look: Look; readonly end: () => void } {
    const now = this.#now();
    let entry = this.#open.get(key);
    if (!opts.fresh && entry && entry.users > 0 && now - entry.at <= this.#maxAgeMs) entry.users++;
    else {
      entry = { look: take(), at: now, users: 1 };
      this.#open.set(key, entry);
    }
    const held = entry;
    let ended = false;
    return {
      look: held.look,
      end: () => {
        if (ended) return;
        ended = true;
        held.users--;
        if (held.users === 0 && this.#open.get(key) === held) this.#open.delete(key);
      },
    };
  }

  /** How many workspaces have a look in use (tests). */
  get size(): number {
    return this.#open.size;
  }
}
