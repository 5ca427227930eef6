/** The views the body's data-view names (the browser tests wait on it). */
export type ViewName = "overview" | "plan" | "task" | "synthesis" | "agents" | "activity" | "notfound";

/** A breadcrumb: a label and, but for the last, where it leads. */
export type Crumb = readonly [label: string, hash?: string];

/** What a view may ask of the app shell. */
export interface Shell {
  /** The view's content area (#main). */
  readonly root: HTMLElement;
  crumbs(...items: Crumb[]): void;
  /** Refetch the current view now (after an action). */
  refresh(): void;
  navigate(hash: string): void;
  showError(error: unknown): void;
}

/**
 * One screen: `load` fetches its data, `render` draws it (first time and on every live refresh,
 * keeping what the person set up: filters, pan and zoom, open sections).
 */
export interface View<T = unknown> {
  readonly name: ViewName;
  load(): Promise<T>;
  render(data: T): void;
  /** A key the view handles (graph zoom, ...); true when it did. */
  key?(e: KeyboardEvent): boolean;
}

export type ViewFactory = (shell: Shell) => View;
