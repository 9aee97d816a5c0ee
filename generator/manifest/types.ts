/**
 * The manifest: a JSON file the generator writes into `output` beside the TypeScript adapters.
 * The CLI (`migrate`, `sync`, `status`) runs from it alone and never imports user TypeScript; the
 * generated adapters wrap the same descriptors with types (docs/generator.md).
 */

/** How a column's values are stored and converted. `list` columns are PostgreSQL arrays of `kind`. */
export type ColumnKind = 'text' | 'number' | 'boolean' | 'date' | 'json';

export interface ManifestColumn {
  /** The Bubble record key (byte-exact). */
  key: string;
  /** The Prisma field name (NameSanitiser). */
  field: string;
  /** The database column name (the key when it fits 63 bytes, else truncated + hash tag). */
  column: string;
  /** The declared Bubble type, e.g. `text`, `list.custom.invoice`, `option.status`. */
  bubbleType: string;
  kind: ColumnKind;
  /** PostgreSQL array of `kind` (never for json: a Bubble list of json-ish values is one jsonb). */
  list: boolean;
  /** For references (`user`, `custom.<type>`, lists of them): the referenced type's API name. */
  references?: string;
  /** The PostgreSQL type used for casts in bulk writes, e.g. `text`, `double precision`, `timestamptz(3)[]`, `jsonb`. */
  pgType: string;
  /** Kept because the dictionary marks the field removed: still a column, no longer expected in records. */
  removed?: boolean;
}

/** Columns every data model has, by role. Values are database column names. */
export interface StandardColumns {
  id: string; // "id": local primary key, database-side default
  bubbleId: string; // "_id"
  bubbleCreatedAt: string; // "Created Date"
  bubbleModifiedAt: string; // "Modified Date"
  bubbleCreatedBy: string; // "Created By"
  bubbleSlug: string; // "Slug"
  raw: string; // "_raw": the whole record as received, jsonb
  unmapped: string; // "_unmapped": jsonb object of key → value that did not fit its column or is unknown; null when none
  syncCursorPosition: string; // "_sync_cursor_position"
  syncJobId: string; // "_sync_job_id": the job that last wrote the row
  syncedAt: string; // "_synced_at"
  createdAt: string; // "_created_at": local insert time, database default now()
  updatedAt: string; // "_updated_at": local update time, set by every upsert
  isDeleted: string; // "_is_deleted"
  deletedAt: string; // "_deleted_at"
}

export interface ManifestType {
  /** Bubble API name of the type (path segment under /obj/). */
  name: string;
  display: string;
  /** Prisma model name (modelPrefix + PascalCase display, sanitised). */
  model: string;
  /** Prisma Client delegate (model name with a lower-case first letter), e.g. `prisma.rentalUnit`. */
  delegate: string;
  /** Database table name (tablePrefix + name, made safe). */
  table: string;
  standard: StandardColumns;
  /** Bubble fields other than built-ins, in dictionary order. */
  columns: ManifestColumn[];
  removed?: boolean;
}

export interface ManifestSyncState {
  /** Table names of the sync-state models (tablePrefix applied). */
  jobTable: string;
  cursorTable: string;
  pageTable: string;
  /** Records that could not be written to their table (no usable `_id`, or refused by the database). */
  rejectTable: string;
  /** Events received by `bubble-runtime listen` (absent in manifests written before it existed). */
  eventTable: string;
}

export interface Manifest {
  version: 1;
  /** `prisma-generator-bubble@<version>`. */
  generatedBy: string;
  /** sha256 of the dictionary file's canonical JSON: lets the CLI see that it runs a stale manifest. */
  dictionaryHash: string;
  app: { name: string };
  /** Relative to the manifest (POSIX separators): the models file and the schema folder it lives in. */
  modelsFile: string;
  schemaDir: string;
  /** Relative to the manifest (POSIX separators): the data dictionary it was generated from. */
  dictionary: string;
  /** The generator block's `modelPrefix` / `tablePrefix` (empty when unset); the sync-state models carry them too. */
  modelPrefix: string;
  tablePrefix: string;
  /** Load order (dictionary order, removed types last). */
  types: ManifestType[];
  state: ManifestSyncState;
}

export const MANIFEST_FILE = 'bubble-manifest.json';
