/**
 * The manifest: a JSON file the generator writes into `output` beside the TypeScript adapters.
 * The CLI (`migrate`, `sync`, `status`, `listen`) runs from it alone and never imports user TypeScript;
 * the generated adapters wrap the same descriptors with types (docs/generator.md). The schema below is
 * the contract: the generator builds values of these types, the runtime validates the file against it
 * (read.ts) before it reads a single field.
 */
import { z } from 'zod';
import { STANDARD_ROLES, type StandardRole } from '../standard-columns.js';

export const MANIFEST_FILE = 'bubble-manifest.json';

/** How a column's values are stored and converted. `list` columns are PostgreSQL arrays of `kind`. */
export const columnKindSchema = z.enum(['text', 'number', 'boolean', 'date', 'json']);
export type ColumnKind = z.infer<typeof columnKindSchema>;

export const manifestColumnSchema = z.object({
  /** The Bubble record key (byte-exact). */
  key: z.string().min(1),
  /** The Prisma field name (NameSanitiser). */
  field: z.string().min(1),
  /** The database column name (the key when it fits 63 bytes, else truncated + hash tag). */
  column: z.string().min(1),
  /** The declared Bubble type, e.g. `text`, `list.custom.invoice`, `option.status`. */
  bubbleType: z.string().min(1),
  kind: columnKindSchema,
  /** PostgreSQL array of `kind` (never for json: a Bubble list of json-ish values is one jsonb). */
  list: z.boolean(),
  /** For references (`user`, `custom.<type>`, lists of them): the referenced type's API name. */
  references: z.string().optional(),
  /** The PostgreSQL type used for casts in bulk writes, e.g. `text`, `double precision`, `timestamptz(3)[]`, `jsonb`. */
  pgType: z.string().min(1),
  /** Kept because the dictionary marks the field removed: still a column, no longer expected in records. */
  removed: z.boolean().optional(),
});
export type ManifestColumn = z.infer<typeof manifestColumnSchema>;

/** Columns every data model has, by role (core/standard-columns.ts). Values are database column names. */
export const standardColumnsSchema = z.object(
  Object.fromEntries(STANDARD_ROLES.map((role) => [role, z.string().min(1)])) as Record<StandardRole, z.ZodString>,
);
export type StandardColumns = z.infer<typeof standardColumnsSchema>;

export const manifestTypeSchema = z.object({
  /** Bubble API name of the type (path segment under /obj/). */
  name: z.string().min(1),
  display: z.string(),
  /** Prisma model name (modelPrefix + PascalCase display, sanitised). */
  model: z.string().min(1),
  /** Prisma Client delegate (model name with a lower-case first letter), e.g. `prisma.rentalUnit`. */
  delegate: z.string().min(1),
  /** Database table name (tablePrefix + name, made safe). */
  table: z.string().min(1),
  standard: standardColumnsSchema,
  /** Bubble fields other than built-ins, in dictionary order. */
  columns: z.array(manifestColumnSchema),
  removed: z.boolean().optional(),
});
export type ManifestType = z.infer<typeof manifestTypeSchema>;

export const manifestSyncStateSchema = z.object({
  /** Table names of the sync-state models (tablePrefix applied). */
  jobTable: z.string().min(1),
  cursorTable: z.string().min(1),
  pageTable: z.string().min(1),
  /** Records that could not be written to their table (no usable `_id`, or refused by the database). */
  rejectTable: z.string().min(1),
  /** Events received by `bubble-runtime listen` (absent in manifests written before it existed). */
  eventTable: z.string().min(1).optional(),
});
export type ManifestSyncState = z.infer<typeof manifestSyncStateSchema>;

/** The manifest format version this release writes and reads. */
export const MANIFEST_VERSION = 1;

export const manifestSchema = z.object({
  version: z.literal(MANIFEST_VERSION),
  /** `prisma-generator-bubble@<version>`. */
  generatedBy: z.string(),
  /** sha256 of the dictionary file's canonical JSON: lets the CLI see that it runs a stale manifest. */
  dictionaryHash: z.string(),
  app: z.object({ name: z.string() }),
  /** Relative to the manifest (POSIX separators): the models file and the schema folder it lives in. */
  modelsFile: z.string(),
  schemaDir: z.string(),
  /** Relative to the manifest (POSIX separators): the data dictionary it was generated from. */
  dictionary: z.string(),
  /** The generator block's `modelPrefix` / `tablePrefix` (empty when unset); the sync-state models carry them too. */
  modelPrefix: z.string(),
  tablePrefix: z.string(),
  /** Load order (dictionary order, removed types last). */
  types: z.array(manifestTypeSchema),
  state: manifestSyncStateSchema,
});
export type Manifest = z.infer<typeof manifestSchema>;
