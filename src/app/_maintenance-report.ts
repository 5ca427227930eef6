/** The maintenance coordinator's input and report shapes, shared by its actions. */

export const MAINTENANCE_ACTIONS = [
  "scan_cleanup",
  "validate_structure",
  "update_documentation",
  "prepare_handover",
] as const;
export type MaintenanceAction = (typeof MAINTENANCE_ACTIONS)[number];
export const MAINTENANCE_SCOPES = ["current_session", "full_project", "specific_subtask"] as const;
export type MaintenanceScope = (typeof MAINTENANCE_SCOPES)[number];
export const VALIDATION_LEVELS = ["basic", "comprehensive", "full_audit"] as const;
export type ValidationLevel = (typeof VALIDATION_LEVELS)[number];

export interface MaintenanceInput {
  readonly action: MaintenanceAction;
  readonly scope: MaintenanceScope;
  readonly validationLevel: ValidationLevel;
  readonly targetTaskId?: string | undefined;
  /** scan_cleanup: report what would be done, change nothing. */
  readonly dryRun?: boolean | undefined;
  /** validate_structure: also fix what can be fixed safely. */
  readonly repair?: boolean | undefined;
}

export interface MaintenanceFinding {
  readonly kind: string;
  readonly severity: "info" | "warning" | "error";
  readonly message: string;
  readonly task_id?: string;
  readonly path?: string;
}

export interface MaintenanceStep {
  readonly action: string;
  readonly task_id?: string;
  readonly path?: string;
  readonly detail: string;
}

export interface MaintenanceResult {
  readonly action: MaintenanceAction;
  readonly scope: MaintenanceScope;
  readonly validation_level: ValidationLevel;
  readonly started_at: string;
  readonly findings: readonly MaintenanceFinding[];
  readonly actions_taken: readonly MaintenanceStep[];
  readonly files_written: readonly string[];
  readonly summary: string;
}

/** What each action contributes to the report. */
export type MaintenanceBody = Pick<
  MaintenanceResult,
  "findings" | "actions_taken" | "files_written" | "summary"
>;
