/**
 * The one error catalogue. Every failure the product reports has a stable code listed here with
 * when it fires, what the user should do, and the CLI exit code it maps to (MCP tools report
 * every one of them as an `isError` result carrying the code).
 */
export const ERROR_CATALOGUE = {
  // usage and input
  USAGE: {
    exit: 2,
    when: "A command was called with unknown or malformed flags or arguments.",
    fix: "Run the command with --help and correct the flags.",
  },
  INVALID_INPUT: {
    exit: 2,
    when: "A tool argument or a value in a file failed validation.",
    fix: "Correct the named field as the message says and call again.",
  },
  REQUEST_ID_REUSED: {
    exit: 2,
    when: "A write call repeated a request_id used in the last 24 hours (same workspace and tool) with different arguments.",
    fix: "Use a new request_id for a new request; repeat a request_id only to retry the very same call.",
  },
  // workspaces
  WORKSPACE_UNRESOLVED: {
    exit: 2,
    when: "No workspace could be determined for a call: no working_directory, no session workspace, no --workspace, no client root and no project above the server's directory.",
    fix: "Pass working_directory (the project's root folder) to orchestrator_initialize_session or to the call.",
  },
  WORKSPACE_NOT_FOUND: {
    exit: 2,
    when: "The workspace directory given does not exist or is not a directory.",
    fix: "Pass the absolute path of an existing project folder.",
  },
  WORKSPACE_FORBIDDEN: {
    exit: 2,
    when: "The workspace resolved to the filesystem root, the home directory or an operating-system folder (/etc, /dev, /proc, /usr, /boot, /var or /tmp themselves, C:\\Windows, ...), where project data must not be scattered.",
    fix: "Pass the project's own folder as working_directory.",
  },
  WORKSPACE_NOT_WRITABLE: {
    exit: 1,
    when: "The workspace's .task_orchestrator folder cannot be created or written.",
    fix: "Check the folder's permissions, or point --db at a writable location.",
  },
  // plans and tasks
  PLAN_INVALID: {
    exit: 2,
    when: "A plan failed validation (bad JSON, duplicate or taken ids, unknown dependencies, cycles, unknown roles). Nothing was stored.",
    fix: "Fix every issue listed in the error and call orchestrator_plan_task again.",
  },
  PLAN_NOT_FOUND: {
    exit: 1,
    when: "No plan with the given id exists in this workspace.",
    fix: "Check the id with orchestrator_get_status, and that the call uses the right workspace.",
  },
  TASK_NOT_FOUND: {
    exit: 1,
    when: "No task with the given id exists in this workspace.",
    fix: "Check the id with orchestrator_get_status, and that the call uses the right workspace.",
  },
  TRANSITION_NOT_ALLOWED: {
    exit: 1,
    when: "The requested change is not allowed from the task's current status (see the state machine).",
    fix: "Look at the task's status; the message lists the statuses the change is allowed from.",
  },
  DEPENDENCIES_UNMET: {
    exit: 1,
    when: "A task was started or completed while some of its dependencies are not completed.",
    fix: "Complete the dependencies named in the message first (orchestrator_execute_subtask on each).",
  },
  TASK_HAS_DEPENDENTS: {
    exit: 1,
    when: "A task that other tasks still depend on was to be archived or deleted.",
    fix: "Cancel or re-plan the dependents first, or pass force: true to go ahead anyway.",
  },
  NO_READY_TASK: {
    exit: 1,
    when: "An agent asked for the next ready task and none can start now.",
    fix: "Look at orchestrator_get_status: the remaining tasks wait on dependencies, are held by other agents, or are blocked.",
  },
  TASK_CLAIMED: {
    exit: 1,
    when: "The task is claimed by another agent whose lease has not expired.",
    fix: "Pick another ready task, or wait until the lease named in the message expires.",
  },
  // the dashboard (issue 15)
  CLAIM_NOT_STALE: {
    exit: 1,
    when: "The dashboard was asked to release a task's claim while it still blocks: its lease runs and its holder's process is not known to be gone.",
    fix: "Wait until the lease runs out (the dashboard shows the time left), or cancel the task if the work must stop now.",
  },
  DASHBOARD_READ_ONLY: {
    exit: 2,
    when: "A dashboard action (release, cancel, reopen) was requested from a dashboard started without actions allowed.",
    fix: "Restart the dashboard with --allow-actions (orchestrator ui; serve --http: --ui-actions) to allow actions, recorded under your name (or the token's).",
  },
  // artifacts
  ARTIFACT_TOO_LARGE: {
    exit: 1,
    when: "detailed_work is larger than the configured artifact size limit.",
    fix: "Split the work into smaller parts, or raise ORCHESTRATOR_MAX_ARTIFACT_BYTES.",
  },
  PATH_OUTSIDE_WORKSPACE: {
    exit: 2,
    when: "A path in file_paths points outside the workspace.",
    fix: "Give paths relative to the workspace, without '..' segments that leave it.",
  },
  PATH_OUTSIDE_DATA_DIR: {
    exit: 1,
    when: "A path the orchestrator built from stored ids or paths (an artifact file, a plan's folder, a delete) would resolve outside the workspace's .task_orchestrator folder, through a crafted id or row or a symlink inside the folder. Nothing was read, written or deleted there.",
    fix: "Run orchestrator_maintenance_coordinator with action validate_structure to list the rows at fault (repair: true removes them); replace a symlink inside .task_orchestrator/ with a real folder.",
  },
  ARTIFACT_NOT_FOUND: {
    exit: 1,
    when: "No artifact with the given id exists, or its file is missing.",
    fix: "Check the id in orchestrator_get_status or the task's artifacts; run maintenance validate_structure.",
  },
  // roles
  SETTINGS_INVALID: {
    exit: 1,
    when: "The workspace's .task_orchestrator/settings.yaml does not parse or holds an unknown or malformed setting (a bad `project:` fails every call, since the project id keys the data).",
    fix: "Fix what the message names (a line and column, or the setting; allowed: lease, stale_after, max_artifact_bytes, project, db), or delete the file to use the defaults.",
  },
  ROLE_FILE_INVALID: {
    exit: 1,
    when: "A roles YAML file under .task_orchestrator/roles/ does not parse or has an invalid role.",
    fix: "Fix the file at the line named in the message; until then the other role files are used.",
  },
  // installer
  CONFIG_REFUSED: {
    exit: 1,
    when: "A client's config file does not parse, is not UTF-8, holds another server under our name, is read-only, belongs to another user, sits in a folder we cannot write, or is reached through a symlink leading out of home (or the project); it was left byte-identical.",
    fix: "Do what the message says: fix the file at the line and column given (or restore a backup); pass --force to replace or remove a foreign entry or to edit a read-only file; run as the file's owner or fix the folder's permissions.",
  },
  CONFIG_ROLLED_BACK: {
    exit: 1,
    when: "Writing a client's config failed after the backup; the original bytes were restored.",
    fix: "Read the reason given (disk full, permissions), fix it and run the command again.",
  },
  BACKUP_MANIFEST_DAMAGED: {
    exit: 1,
    when: "The backup manifest (backups/manifest.json in the orchestrator's user data folder) does not parse; backups, rollback and validate cannot read it. data: { path }.",
    fix: "Move the file the message names aside (install then starts a new manifest and moves a damaged one aside itself); the backup copies in backups/files/ stay readable.",
  },
  BACKUP_NOT_FOUND: {
    exit: 1,
    when: "rollback found no backup for that client's file (or no backup with the id given).",
    fix: "List backups with 'orchestrator backups'; backups are made by install and uninstall.",
  },
  // store
  STORE_UNAVAILABLE: {
    exit: 1,
    when: "The database could not be opened, migrated or written (locked too long, corrupt, disk full).",
    fix: "Run `orchestrator doctor`; check disk space and that no other program holds the file.",
  },
  STORE_CONNECTION_LOST: {
    exit: 1,
    when: "The PostgreSQL store could not be reached during a call (server restarting or down, network cut, connection closed by the server). A write whose commit was not confirmed may or may not have been stored. data: { host, port, database, retryable: true }.",
    fix: "Call again in a moment (the connection pool reconnects by itself); if it persists, check that the PostgreSQL server is up (pg_isready -h <host> -p <port>).",
  },
  STORE_CONFLICT: {
    exit: 1,
    when: "A write on the PostgreSQL store kept colliding with concurrent writes (serialization failures or deadlocks) and was rolled back after its bounded retries; nothing of it was stored. data: { attempts, retryable: true }.",
    fix: "Call again; heavy contention on one plan clears within seconds.",
  },
  STORE_TIMEOUT: {
    exit: 1,
    when: "A PostgreSQL statement ran longer than the store's statement_timeout and was cancelled; nothing of that call was stored. data: { timeout_ms, retryable: true }.",
    fix: "Call again; if it keeps happening raise ?statement_timeout= in the database URL (milliseconds) or look for locks held by other sessions (pg_stat_activity).",
  },
  STORE_ROW_INVALID: {
    exit: 1,
    when: "A row read from the database holds an id or an artifact path this orchestrator never writes (a crafted or damaged database, e.g. a shared --db edited by another program). It was not used.",
    fix: "Run orchestrator_maintenance_coordinator with action validate_structure to list such rows, and again with repair: true to remove them (files are never touched).",
  },
  STORE_READ_ONLY: {
    exit: 1,
    when: "The database, its -wal or -shm file, or the folder holding them cannot be written by this user (permissions, owner or a read-only filesystem). The message names the file, its mode and owner.",
    fix: "Run the chmod or chown the message gives (e.g. chmod u+w <file>), or `orchestrator doctor` to list every such file; the data in the database is intact.",
  },
  DISK_FULL: {
    exit: 1,
    when: "A write failed because the disk or the user's quota is full (ENOSPC, EDQUOT, SQLITE_FULL). Nothing of that call was stored.",
    fix: "Free space on the disk named in the message (df -h <folder>), then call again.",
  },
  FILE_NOT_WRITABLE: {
    exit: 1,
    when: "A file the orchestrator writes (an artifact, a handover document, an export, a client config) cannot be written: no permission, or a read-only filesystem. The message names the file.",
    fix: "Give yourself write access to the folder named (chmod u+w <folder>), or write elsewhere.",
  },
  STORE_TOO_NEW: {
    exit: 1,
    when: "The database was written by a newer orchestrator with migrations this binary does not know.",
    fix: "Upgrade this orchestrator binary to the newer version.",
  },
  // the HTTP team server and its tokens (docs/guides/team-server.md)
  TOKEN_EXISTS: {
    exit: 2,
    when: "`token create` named a token that exists already (revoked ones included: a name is an agent identity in the history).",
    fix: "Choose another name, or see the names in use with `orchestrator token list`.",
  },
  TOKEN_NOT_FOUND: {
    exit: 2,
    when: "`token revoke` named no token of this database.",
    fix: "Check the name with `orchestrator token list` (and that --db names the server's database).",
  },
  AUTH_REQUIRED: {
    exit: 1,
    when: "An HTTP request to /mcp (or to /metrics on a non-loopback bind) carried no bearer token, or one that is unknown, revoked or expired, or a JWT that does not verify (signature, key, algorithm, issuer, audience, expiry, identity claim) (HTTP 401).",
    fix: "Send `Authorization: Bearer <token>` with a token from `orchestrator token create --name NAME` on the server's database, or a JWT from the configured issuer for this server's audience.",
  },
  AUTH_UNAVAILABLE: {
    exit: 1,
    when: "A JWT could not be checked because the identity provider's key set (--auth-jwks-url) could not be fetched: timeout, refused connection, an error status or a malformed set (HTTP 503). Static tokens keep working.",
    fix: "Check that the server can reach the JWKS URL (curl it from the server's machine); retry when the provider is back.",
  },
  AGENT_FORBIDDEN: {
    exit: 2,
    when: "Over HTTP with a token, agent_id named another identity than the token's name or a sub-agent under it (`<token-name>/<sub>`).",
    fix: "Leave agent_id out (the token's name is used), or pass `<token-name>/<sub-agent>`.",
  },
  PROJECT_FORBIDDEN: {
    exit: 2,
    when: "Over HTTP, the token is limited to some projects (`token create --project`) and the call's workspace belongs to another one.",
    fix: "Pass the working_directory of a project the token may use (token list shows them), or have the server's operator create a token for this project.",
  },
  ORIGIN_FORBIDDEN: {
    exit: 1,
    when: "An HTTP request came with an Origin header that is not the server's own, or a Host that is not the loopback address the server is bound to (DNS-rebinding protection, HTTP 403).",
    fix: "Call the server from its own origin, or start it with --allow-origin <origin> for a trusted web origin.",
  },
  REQUEST_TIMEOUT: {
    exit: 1,
    when: "An HTTP request was not fully received, or not answered, within the server's request timeout (--http-timeout). When the call was running, its outcome is unknown (each write commits whole or not at all); when the server timed out before the call began (say, a token store slow to answer), the call is not run and the message says so.",
    fix: "Check with orchestrator_get_status before calling again, or retry with the same request_id; raise --http-timeout for long calls.",
  },
  INSECURE_BIND: {
    exit: 2,
    when: "`serve --http` was asked to listen on a non-loopback address with no authentication configured (no token in the database and no --auth tokens).",
    fix: "Create a token (`orchestrator token create --name NAME`) or pass --auth tokens; --insecure-no-auth serves anyone who can reach the port.",
  },
  TLS_INVALID: {
    exit: 2,
    when: "`serve --http --tls-cert FILE --tls-key FILE` could not read the files, or they are not a PEM certificate and its matching private key.",
    fix: "Pass a readable PEM certificate (chain) and the private key it was issued for; check with `openssl x509 -in FILE -noout -subject`.",
  },
  // the dashboard (issue 15, docs/guides/dashboard.md)
  DASHBOARD_SECRET_REQUIRED: {
    exit: 1,
    when: "A request to `orchestrator ui` carried neither the secret of the URL it printed nor the cookie that URL sets, or a wrong secret (HTTP 403).",
    fix: "Open the URL `orchestrator ui` printed (http://127.0.0.1:PORT/?secret=...); `--new-secret` makes a new one and invalidates old links.",
  },
  DASHBOARD_NOT_LOOPBACK: {
    exit: 2,
    when: "`orchestrator ui --host` named an address other machines can reach; the personal dashboard only listens on this machine.",
    fix: "Leave --host out (127.0.0.1), or serve a team with `orchestrator serve --http HOST:PORT` and tokens: it has the dashboard under /ui/.",
  },
  DASHBOARD_NOT_FOUND: {
    exit: 1,
    when: "A dashboard request named a path the dashboard does not serve (HTTP 404).",
    fix: "Open the dashboard's start page; the API routes are listed in docs/guides/dashboard.md.",
  },
  DASHBOARD_METHOD_NOT_ALLOWED: {
    exit: 1,
    when: "A dashboard request used a method its route does not take: pages and reads take GET or HEAD, api/action takes POST (HTTP 405).",
    fix: "Use the method the Allow header names.",
  },
  DASHBOARD_BUSY: {
    exit: 1,
    when: "The dashboard already holds as many live event streams (api/events) as it serves at once (HTTP 503).",
    fix: "Close dashboard tabs you do not use; the page reconnects by itself when a slot is free.",
  },
  PORT_IN_USE: {
    exit: 1,
    when: "The port given with --port is taken by another program.",
    fix: "Choose another port, leave --port out (a free one is picked when the default is taken), or pass --port 0.",
  },
  // the client side of a remote server: `connect`, install --url, validate/doctor (docs/guides/team-server.md)
  REMOTE_URL_INVALID: {
    exit: 2,
    when: "A remote server URL (connect, install --url, a client's entry) is not https, is http to another host than this machine, carries a user name or password, or does not parse.",
    fix: "Use https://HOST[:PORT]/mcp (http:// only for 127.0.0.1, ::1 or localhost), with the token in an environment variable named by --token-env, never in the URL.",
  },
  TOKEN_ENV_UNSET: {
    exit: 2,
    when: "The environment variable that should hold the bearer token (--token-env, or the one a client's entry names) is not set, or is empty, where the bridge or the check runs.",
    fix: "Set it in the environment that starts the client (export VAR=orch_... in your shell profile; for a desktop app, its own environment, e.g. launchctl setenv on macOS), then restart the client.",
  },
  REMOTE_UNREACHABLE: {
    exit: 1,
    when: "The remote server could not be reached: connection refused or reset, unknown host, no route (the server or its proxy is down, or the URL names the wrong host or port).",
    fix: "Start the server (`orchestrator serve --http ...`), or correct the host and port in the URL; behind a proxy, check that the proxy is up and forwards to the server.",
  },
  REMOTE_TLS: {
    exit: 1,
    when: "The TLS connection to the remote server failed: a certificate signed by a CA this machine does not trust, an expired certificate, or one for another host name.",
    fix: "Trust the server's CA (NODE_EXTRA_CA_CERTS=/path/ca.pem in the client's environment), or give the server a certificate valid for the URL's host name.",
  },
  REMOTE_AUTH_FAILED: {
    exit: 1,
    when: "The remote server answered 401: the token in the variable is unknown, revoked or expired, or not a bearer token of that server.",
    fix: "Ask the server's admin for a token (`orchestrator token create --name NAME` on the server's database; `orchestrator token list` shows revoked and expired ones) and put it in the variable.",
  },
  REMOTE_FORBIDDEN: {
    exit: 1,
    when: "The remote server answered 403 (its DNS-rebinding protection refused the request's Host or Origin): usually a URL other than the one the server is published under.",
    fix: "Use the URL the server announces (its --public-url behind a proxy), or start the server with --public-url naming this URL (or --allow-origin for a web origin).",
  },
  REMOTE_TIMEOUT: {
    exit: 1,
    when: "The remote server did not answer within the bridge's timeout; the call's outcome is unknown (each write commits whole or not at all).",
    fix: "Check with orchestrator_get_status before calling again, or retry with the same request_id; raise connect --timeout for long calls.",
  },
  REMOTE_BAD_ANSWER: {
    exit: 1,
    when: "The remote URL answered something that is not MCP over Streamable HTTP (an HTML page, 404, a body that is not JSON-RPC): usually a URL without the /mcp path, or a proxy's own error page.",
    fix: "Point the URL at the server's MCP endpoint (https://HOST/mcp), and check the proxy forwards /mcp to the server.",
  },
  // the dashboard's front end (issue 15)
  DASHBOARD_NOT_BUILT: {
    exit: 1,
    when: "The dashboard was asked for from source under Deno or Node: its front end is bundled by Bun (at build time for the compiled binary, on first use under `bun bin/orchestrator.ts`).",
    fix: "Run the compiled `orchestrator` binary (or `bun bin/orchestrator.ts ui` from a checkout) instead.",
  },
  // the server process (docs/reboot.md)
  REQUEST_TOO_LARGE: {
    exit: 1,
    when: "A JSON-RPC message (a stdio line, or an HTTP request body) was longer than the server reads (6 × ORCHESTRATOR_MAX_ARTIFACT_BYTES + 1 MiB, or --http-max-body); it was dropped unread and the server kept serving.",
    fix: "Send less in one call (split detailed_work across subtasks), or raise ORCHESTRATOR_MAX_ARTIFACT_BYTES in the server's environment.",
  },
  WORKER_CRASHED: {
    exit: 1,
    when: "The worker process exited (a crash or a kill) while it handled the request; the change may or may not have been made (each write commits whole or not at all). A new worker serves the next call.",
    fix: "Check with orchestrator_get_status whether the change is there before calling again, or retry with the same request_id (applied at most once).",
  },
  RESTART_INTERRUPTED: {
    exit: 1,
    when: "A restart stopped the old worker when its timeout ran out while it still handled the request; the change may or may not have been made (each write commits whole or not at all).",
    fix: "Check with orchestrator_get_status whether the change is there before calling again, or retry with the same request_id (applied at most once).",
  },
  WORKER_FAILED: {
    exit: 1,
    when: "The worker crashed 5 times within a minute and is not restarted again; the request was not run.",
    fix: "Run `orchestrator doctor` for the cause, then call orchestrator_restart_server (or restart the client).",
  },
  INTERNAL: {
    exit: 1,
    when: "An unexpected failure inside the orchestrator (a bug).",
    fix: "Run again with --verbose and report the stack trace.",
  },
} as const satisfies Record<string, { exit: 1 | 2; when: string; fix: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** A failure with a stable code. `data` carries structured details (see each raising site). */
export class OrchestratorError extends Error {
  override readonly name = "OrchestratorError";
  readonly code: ErrorCode;
  readonly data: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { data?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.data = options.data;
  }

  /** The catalogue's advice for this code. */
  get fix(): string {
    return ERROR_CATALOGUE[this.code].fix;
  }
}

/** True when `e` is an OrchestratorError (optionally with one of `codes`). */
export function isOrchestratorError(e: unknown, ...codes: ErrorCode[]): e is OrchestratorError {
  return e instanceof OrchestratorError && (codes.length === 0 || codes.includes(e.code));
}
