import { posix, win32 } from "node:path";

/**
 * Operating-system folders that are never a workspace (a call naming one could otherwise create
 * .task_orchestrator/ in /etc, or a database in /dev). Trees are refused with everything under
 * them; folders in ONLY_ITSELF are refused themselves but hold users' projects below them
 * (/var/www/site, /srv/app, /tmp/checkout, /opt/tool), which stay allowed.
 */
const POSIX_TREES = [
  "/etc",
  "/dev",
  "/proc",
  "/sys",
  "/usr",
  "/bin",
  "/sbin",
  "/lib",
  "/lib32",
  "/lib64",
  "/libx32",
  "/boot",
  "/run",
  "/var/lib",
  "/var/log",
  "/var/cache",
  "/var/spool",
  "/var/run",
  "/var/lock",
  "/var/db",
  "/System",
  "/Library",
  "/private/etc",
  "/private/var/db",
  "/private/var/log",
];
const POSIX_ONLY_ITSELF = [
  "/var",
  "/tmp",
  "/var/tmp",
  "/srv",
  "/opt",
  "/home",
  "/root",
  "/mnt",
  "/media",
  "/Users",
  "/Volumes",
  "/private",
  "/private/var",
  "/private/tmp",
];
const WINDOWS_TREES = ["\\Windows", "\\Program Files", "\\Program Files (x86)", "\\ProgramData"];
const WINDOWS_ONLY_ITSELF = ["\\Users"];

/**
 * The system folder `real` (a real absolute path) is or lies in, or undefined when it may be a
 * workspace. Windows paths compare case-insensitively and on any drive.
 */
export function systemFolderOf(
  real: string,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  if (platform === "win32") {
    const root = win32.parse(real).root;
    const rest = `\\${real.slice(root.length)}`.replace(/[\\/]+$/, "").toLowerCase();
    const hit =
      WINDOWS_TREES.find((t) => rest === t.toLowerCase() || rest.startsWith(`${t.toLowerCase()}\\`)) ??
      WINDOWS_ONLY_ITSELF.find((t) => rest === t.toLowerCase());
    return hit === undefined ? undefined : win32.join(root, hit);
  }
  const p = posix.normalize(real).replace(/\/+$/, "");
  return POSIX_TREES.find((t) => p === t || p.startsWith(`${t}/`)) ?? POSIX_ONLY_ITSELF.find((t) => p === t);
}
