import type { RestartRecord, RestartTrigger } from "../protocol/reboot-tools.ts";
import type { Worker } from "./worker-pool.ts";

/** How a restart was asked for. */
export interface RestartRequest {
  readonly graceful: boolean;
  /** How long the old worker has to finish its requests before it is killed. */
  readonly timeoutMs: number;
  readonly reason: string;
  readonly trigger: RestartTrigger;
}

/** The restarts of this connection, newest last, at most `limit` (restart_status lists them). */
export class RestartHistory {
  readonly #records: RestartRecord[] = [];
  readonly #limit: number;

  constructor(limit = 100) {
    this.#limit = limit;
  }

  get all(): readonly RestartRecord[] {
    return this.#records;
  }

  get last(): RestartRecord | null {
    return this.#records.at(-1) ?? null;
  }

  /** Records one restart's outcome; `requests_interrupted` is filled in when the old worker exits. */
  add(r: {
    readonly at: string;
    readonly request: RestartRequest;
    readonly durationMs: number;
    readonly result: RestartRecord["result"];
    readonly message: string;
    readonly old: Worker | null;
    readonly fresh: Worker | null;
    readonly finished: number;
    readonly left: number;
  }): RestartRecord {
    const rec: RestartRecord = {
      at: r.at,
      reason: r.request.reason,
      graceful: r.request.graceful,
      trigger: r.request.trigger,
      duration_ms: r.durationMs,
      result: r.result,
      message: r.message,
      old_pid: r.old?.pid ?? null,
      new_pid: r.fresh?.pid ?? null,
      old_version: r.old?.version ?? null,
      new_version: r.fresh?.version ?? null,
      requests_finished: r.finished,
      requests_left_running: r.left,
      requests_interrupted: 0,
    };
    this.#records.push(rec);
    if (this.#records.length > this.#limit) this.#records.shift();
    return rec;
  }
}
