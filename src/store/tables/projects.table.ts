import type { Selectable } from "kysely";

/** One checkout of a project: the machine and folder it was last written from. */
export interface ProjectsTable {
  /** The portable store key (the `workspace` column of every other table). */
  project: string;
  /** os.hostname() of the machine. */
  host: string;
  /** The workspace's absolute path on that machine. */
  path: string;
  /** Which rule gave the id there: settings, git-remote or folder. */
  source: string;
  first_seen: string;
  last_seen: string;
}
export type ProjectRow = Selectable<ProjectsTable>;
