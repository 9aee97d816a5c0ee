/** Shapes of the Bubble Data API as this client speaks it (docs/bubble-api.md lists the facts they rest on). */

/** A record as the Data API returns it: sparse, keyed by display name or field id. */
export type BubbleRecord = Record<string, unknown> & { _id: string };

export type ConstraintType =
  | 'equals'
  | 'not equal'
  | 'is_empty'
  | 'is_not_empty'
  | 'text contains'
  | 'not text contains'
  | 'greater than'
  | 'less than'
  | 'in'
  | 'not in'
  | 'contains'
  | 'not contains'
  | 'empty'
  | 'not empty'
  | 'geographic_search';

/** One search constraint; `value` is omitted for is_empty / is_not_empty. */
export interface Constraint {
  key: string;
  constraint_type: ConstraintType;
  value?: unknown;
}

export interface SortField {
  sort_field: string;
  descending?: boolean;
}

export interface PageOptions {
  /** 0-based offset (Bubble calls it cursor). Default 0. */
  cursor?: number;
  /** Records per page, 1..100. Default 100. */
  limit?: number;
  constraints?: readonly Constraint[];
  /** Field to sort by (default: Bubble's order, Created Date ascending). */
  sortField?: string;
  descending?: boolean;
  /** Tie-breakers after `sortField`, e.g. `[{sort_field: '_id'}]`. */
  additionalSortFields?: readonly SortField[];
  /** Sends `exclude_remaining=true`: Bubble skips counting the records after the page (`remaining` is then null). */
  excludeRemaining?: boolean;
  /** Attempts before giving up, when fewer than the client's policy (a count that may be too big to finish); 429s count only against the policy. */
  maxAttempts?: number;
  signal?: AbortSignal;
}

export interface Page<R extends Record<string, unknown> = BubbleRecord> {
  results: R[];
  /** The offset this page started at. */
  cursor: number;
  /** Records in this page. */
  count: number;
  /** Records after this page; null when Bubble did not count them (`exclude_remaining`). */
  remaining: number | null;
}

export interface BubbleMetaField {
  id: string;
  display: string;
  type: string;
}

export interface BubbleMetaType {
  display: string;
  fields: BubbleMetaField[];
}

/** `GET /api/1.1/meta`. Only the parts the product reads are typed; the rest passes through. */
export interface BubbleMeta {
  get?: string[];
  post?: unknown[];
  types?: Record<string, BubbleMetaType>;
  /** `use_captions_for_get`: record keys are display names (true) or field ids (false); older apps omit it. */
  app_data?: { appname?: string; use_captions_for_get?: boolean; [key: string]: unknown };
  [key: string]: unknown;
}
