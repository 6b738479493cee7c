/** A search started by the bulk run, as `POST /api/bulk` answers. */
export interface StartedSearch {
  /** The row's line in the uploaded file. */
  readonly line: number;
  readonly id: string;
  /** The search's result page. */
  readonly url: string;
  /** The business name of the row. */
  readonly name: string;
}

/** A row of the uploaded file that was not started, and why. */
export interface RowError {
  readonly line: number;
  readonly message: string;
}

/** A bulk run as its view follows it: what `POST /api/bulk` started and refused. */
export interface BulkRun {
  /** Counts the uploads of the page, so a new run remounts its view. */
  readonly key: number;
  /** When the run started (ms since epoch). */
  readonly startedAt: number;
  /** The uploaded file's name, when known. */
  readonly fileName?: string;
  readonly searches: readonly StartedSearch[];
  readonly errors: readonly RowError[];
}
