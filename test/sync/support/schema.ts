/**
 * A small hand-built manifest ("item" and "note") and the SQL that creates its tables exactly as the
 * generated Prisma schema would (sync-state models included), for the sync tests.
 */
import type { Manifest, ManifestColumn, ManifestType } from '../../../core/manifest/schema.js';
import { STANDARD_COLUMNS } from '../../../generator/manifest/build.js';
import type { Db } from '../../../runtime/db/types.js';

function column(key: string, kind: ManifestColumn['kind'], list = false, bubbleType = kind as string): ManifestColumn {
  const pg = { text: 'text', number: 'double precision', boolean: 'boolean', date: 'timestamptz(3)', json: 'jsonb' }[kind];
  return { key, field: key.replace(/\W/g, ''), column: key, bubbleType, kind, list, pgType: list ? `${pg}[]` : pg };
}

function type(name: string, columns: ManifestColumn[]): ManifestType {
  return {
    name,
    display: name,
    model: name[0]!.toUpperCase() + name.slice(1),
    delegate: name,
    table: name,
    standard: { ...STANDARD_COLUMNS },
    columns,
  };
}

export const ITEM_COLUMNS: ManifestColumn[] = [
  column('Name', 'text'),
  column('Amount', 'number'),
  column('Paid?', 'boolean'),
  column('Due', 'date'),
  column('Tags', 'text', true, 'list.text'),
  column('Address', 'json', false, 'geographic_address'),
];

export function testManifest(): Manifest {
  return {
    version: 1,
    generatedBy: 'test',
    dictionaryHash: 'test',
    app: { name: 'test' },
    modelsFile: 'bubble.prisma',
    schemaDir: '.',
    dictionary: 'dictionary.json',
    modelPrefix: '',
    tablePrefix: '',
    types: [type('item', ITEM_COLUMNS), type('note', [column('Body', 'text')])],
    state: {
      jobTable: 'sync_jobs',
      cursorTable: 'sync_cursors',
      pageTable: 'sync_pages',
      rejectTable: 'sync_rejects',
      eventTable: 'sync_events',
    },
  };
}

const STATE_DDL = `
CREATE TYPE "SyncJobStatus" AS ENUM ('PENDING','RUNNING','COMPLETED','ERROR','CANCELLED');
CREATE TYPE "SyncCursorStatus" AS ENUM ('PENDING','IN_PROGRESS','COMPLETED','ERROR','CANCELLED');
CREATE TABLE "sync_jobs" (id text PRIMARY KEY, status "SyncJobStatus" NOT NULL DEFAULT 'PENDING',
  mode text NOT NULL DEFAULT 'full', types jsonb NOT NULL, app_url text, error text,
  started_at timestamp(3), completed_at timestamp(3), created_at timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at timestamp(3) NOT NULL);
CREATE TABLE "sync_cursors" (id text PRIMARY KEY, "tableName" text NOT NULL, bubble_data_type text NOT NULL,
  current_cursor integer NOT NULL DEFAULT 0, last_cursor integer, total_records integer,
  synced_records integer NOT NULL DEFAULT 0, status "SyncCursorStatus" NOT NULL DEFAULT 'PENDING',
  started_at timestamp(3), completed_at timestamp(3), last_error text, sync_job_id text NOT NULL,
  created_at timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, updated_at timestamp(3) NOT NULL,
  window_index integer NOT NULL DEFAULT 0, window_start text, window_end text, window_counted boolean NOT NULL DEFAULT true,
  last_id text, last_key text, pages integer NOT NULL DEFAULT 0, raw_only integer NOT NULL DEFAULT 0,
  soft_deleted integer NOT NULL DEFAULT 0, reported_records integer NOT NULL DEFAULT 0, held_back integer NOT NULL DEFAULT 0,
  held_back_reason text, replaced integer NOT NULL DEFAULT 0,
  UNIQUE ("tableName", sync_job_id));
CREATE TABLE "sync_pages" (id text PRIMARY KEY, sync_job_id text NOT NULL, table_name text NOT NULL,
  window_index integer NOT NULL, page_index integer NOT NULL, "offset" integer NOT NULL, records integer NOT NULL,
  raw_only integer NOT NULL DEFAULT 0, first_id text, last_id text, last_key text, remaining integer, started_at timestamp(3),
  created_at timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE (sync_job_id, table_name, window_index, page_index));
CREATE TABLE "sync_rejects" (id text PRIMARY KEY, sync_job_id text NOT NULL, bubble_type text NOT NULL,
  table_name text NOT NULL, bubble_id text, raw text NOT NULL, reason text NOT NULL,
  created_at timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE "sync_events" (id bigserial PRIMARY KEY, bubble_type text NOT NULL, bubble_id text NOT NULL, event text NOT NULL,
  status text NOT NULL DEFAULT 'PENDING', attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, last_error text,
  received_at timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, applied_at timestamp(3), outcome text, watch_job_id text);
CREATE INDEX ON "sync_events" (status, next_attempt_at);
CREATE INDEX ON "sync_events" (bubble_type, bubble_id);
`;

function dataTableDdl(t: ManifestType): string {
  const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
  const cols = t.columns.map((c) => `${q(c.column)} ${c.pgType}`).join(', ');
  return `CREATE TABLE ${q(t.table)} (id text PRIMARY KEY DEFAULT gen_random_uuid()::text, "_id" text NOT NULL UNIQUE,
    "Created Date" timestamptz(3), "Modified Date" timestamptz(3), "Created By" text, "Slug" text, "_raw" jsonb,
    "_unmapped" jsonb, "_sync_cursor_position" integer, "_sync_job_id" text, "_synced_at" timestamptz(3),
    "_created_at" timestamptz(3) NOT NULL DEFAULT now(), "_updated_at" timestamptz(3) NOT NULL DEFAULT now(),
    "_is_deleted" boolean NOT NULL DEFAULT false, "_deleted_at" timestamptz(3)${cols ? `, ${cols}` : ''});`;
}

export async function createSchema(db: Db, manifest: Manifest): Promise<void> {
  for (const stmt of STATE_DDL.split(';')
    .map((s) => s.trim())
    .filter(Boolean))
    await db.execute(stmt);
  for (const t of manifest.types) await db.execute(dataTableDdl(t));
}
