/**
 * Dictionary → manifest: every name is decided here, once, in dictionary order (so appended types and
 * fields never shift the names of earlier ones). The models file, the TypeScript adapters and the CLI
 * all read the result; nothing downstream renames anything.
 */
import { BUILTIN_KEYS, type Dictionary } from '../../core/dictionary/schema.js';
import { STANDARD_COLUMN_TABLE } from '../../core/standard-columns.js';
import { syncStateNames } from '../emit/sync-state.js';
import { columnTypeOf, pgTypeOf } from '../mapping/bubble-types.js';
import {
  createColumnAllocator,
  createTableAllocator,
  ModelNameRegistry,
  modelDelegateName,
  NameSanitiser,
  STANDARD_FIELD_NAMES,
  type NamingEvent,
} from '../naming/index.js';
import type { Manifest, ManifestColumn, ManifestType, StandardColumns } from '../../core/manifest/schema.js';

/** The database column of every standard role (core/standard-columns.ts), as the manifest records them. */
export const STANDARD_COLUMNS: Readonly<StandardColumns> = Object.freeze(
  Object.fromEntries(STANDARD_COLUMN_TABLE.map((c) => [c.field, c.column])) as StandardColumns,
);

const BUILTINS: ReadonlySet<string> = new Set(BUILTIN_KEYS);

export interface ManifestOptions {
  modelPrefix?: string;
  tablePrefix?: string;
  /** `prisma-generator-bubble@<version>`. */
  generatedBy: string;
  dictionaryHash: string;
  /** Paths relative to the manifest's folder (POSIX separators). */
  modelsFile: string;
  schemaDir: string;
  dictionary: string;
}

/** A naming event with the Bubble type it happened in (absent for model and table names). */
export interface NamingNote extends NamingEvent {
  type?: string;
}

export interface BuiltManifest {
  manifest: Manifest;
  /** Every collision, fallback, reserved-word suffix, truncation: for the generator's report. */
  naming: NamingNote[];
}

/**
 * Prisma 7.10 refuses a model in which one field's `@map` equals another field's name ("Field … is
 * already defined"), so a column may equal its own field's name but never another field's, standard
 * fields included: such keys get a hash-tagged column, like any other collision.
 */
function columnAllocatorFor(keys: readonly string[], names: readonly string[]): ReturnType<typeof createColumnAllocator> {
  const columns = createColumnAllocator();
  const ownName = new Set(keys.filter((key, i) => names[i] === key));
  for (const name of [...STANDARD_FIELD_NAMES, ...names]) if (!ownName.has(name)) columns.reserve(name);
  return columns;
}

export function buildManifest(dictionary: Dictionary, options: ManifestOptions): BuiltManifest {
  const modelPrefix = options.modelPrefix ?? '';
  const tablePrefix = options.tablePrefix ?? '';
  const models = new ModelNameRegistry({ prefix: modelPrefix });
  const tables = createTableAllocator(tablePrefix);
  const naming: NamingNote[] = [];

  const placed: ManifestType[] = dictionary.types.map((type) => {
    const model = models.sanitize(type.name, type.display.trim() === '' ? type.name : type.display);
    const table = tables.allocate(tablePrefix + type.name);
    const fields = new NameSanitiser();
    const dataFields = type.fields.filter((field) => !BUILTINS.has(field.key));
    // Built-ins only ever fill the standard columns, never a second column.
    const names = dataFields.map((field) => fields.sanitize(field.key));
    const columns = columnAllocatorFor(
      dataFields.map((f) => f.key),
      names,
    );
    const placedColumns: ManifestColumn[] = dataFields.map((field, i) => {
      const { kind, list, references } = columnTypeOf(field.type);
      return {
        key: field.key,
        field: names[i]!,
        column: columns.allocate(field.key),
        bubbleType: field.type,
        kind,
        list,
        ...(references === undefined ? {} : { references }),
        pgType: pgTypeOf(kind, list),
        ...(field.removed === true ? { removed: true } : {}),
      };
    });
    for (const event of [...fields.report(), ...columns.report()]) naming.push({ ...event, type: type.name });
    return {
      name: type.name,
      display: type.display,
      model,
      delegate: modelDelegateName(model),
      table,
      standard: { ...STANDARD_COLUMNS },
      columns: placedColumns,
      ...(type.removed === true ? { removed: true } : {}),
    };
  });
  naming.unshift(...models.report(), ...tables.report());

  const state = syncStateNames(modelPrefix, tablePrefix);
  const manifest: Manifest = {
    version: 1,
    generatedBy: options.generatedBy,
    dictionaryHash: options.dictionaryHash,
    app: { name: dictionary.app.name },
    modelsFile: options.modelsFile,
    schemaDir: options.schemaDir,
    dictionary: options.dictionary,
    modelPrefix,
    tablePrefix,
    // Load order: dictionary order, removed types last (they get no new records).
    types: [...placed.filter((t) => t.removed !== true), ...placed.filter((t) => t.removed === true)],
    state: {
      jobTable: state.jobTable,
      cursorTable: state.cursorTable,
      pageTable: state.pageTable,
      rejectTable: state.rejectTable,
      eventTable: state.eventTable,
    },
  };
  return { manifest, naming };
}
