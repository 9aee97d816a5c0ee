/**
 * The default PageWriter: converts each record with the type's compiled converter and writes the page
 * with the database layer's set-based upsert (one statement per page). A value that does not fit its
 * column stays in `_unmapped` (and the whole record in `_raw`) and the record is counted as raw-only;
 * nothing aborts the run.
 */
import type { ManifestType } from '../../generator/manifest/types.js';
import { compileConverter, type RecordConverter } from '../convert/index.js';
import type { Db } from '../db/types.js';
import { prepareUpsert, type PreparedUpsert, type UpsertRow } from '../db/upsert.js';
import type { BubbleRecord, PageWriter, WriteContext } from './ports.js';

export function createPageWriter(): PageWriter {
  const statements = new Map<string, Promise<PreparedUpsert>>();
  const converters = new Map<string, RecordConverter>();

  return {
    async write(tx: Db, type: ManifestType, records: BubbleRecord[], context: WriteContext) {
      let statement = statements.get(type.table);
      if (!statement) {
        statement = prepareUpsert(tx, type);
        statements.set(type.table, statement);
        // A failed prepare (table missing) must not be cached for the next attempt.
        statement.catch(() => statements.delete(type.table));
      }
      let converter = converters.get(type.table);
      if (!converter) {
        converter = compileConverter(type);
        converters.set(type.table, converter);
      }
      const rows: UpsertRow[] = [];
      let rawOnly = 0;
      records.forEach((record, i) => {
        const c = converter.convert(record);
        if (c.bubbleId === null) return;
        if (c.unmapped !== null) rawOnly += 1;
        rows.push({
          bubbleId: c.bubbleId,
          createdAt: c.createdAt,
          modifiedAt: c.modifiedAt,
          createdBy: c.createdBy,
          slug: c.slug,
          raw: record,
          unmapped: c.unmapped,
          cursorPosition: context.positions?.[i] ?? context.position + i,
          values: c.values,
        });
      });
      const written = await (await statement).run(tx, rows, context.jobId);
      return { written, rawOnly };
    },
  };
}
