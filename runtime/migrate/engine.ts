/**
 * Prisma's schema engine as WASM (`@prisma/schema-engine-wasm`, pinned in package.json), instantiated
 * by hand because the package targets bundlers: compile `schema_engine_bg.wasm` with the glue module
 * `schema_engine_bg.js` as its import object, hand the instance to the glue, start it. The engine then
 * talks to the database through a Prisma driver adapter (adapter-pg or pglite-prisma-adapter), so no
 * engine binary is needed (the Prisma CLI cannot download one on an offline machine).
 */
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import pg from 'pg';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from '../db/types.js';
import { PostgresDb } from '../db/postgres.js';
import { PgliteDb } from '../db/pglite.js';
import { BubbleError } from '../../core/errors.js';
import { isConnectionError } from '../db/errors.js';

export type { SchemaEngine };

let started: Promise<typeof glue> | undefined;

/**
 * Timers the engine sets (10 s statement timeouts): it has no clearTimeout import and never clears
 * them, so a finished process would wait them out. They are cleared when the last open engine is disposed.
 */
const engineTimers = new Set<ReturnType<typeof setTimeout>>();
let openEngines = 0;

/** The glue as the WASM module's import object, with its setTimeout import recording the timers it sets. */
function importsOf(module: typeof glue): Record<string, unknown> {
  const imports: Record<string, unknown> = { ...module };
  for (const name of Object.keys(module)) {
    if (!name.startsWith('__wbg_setTimeout_')) continue;
    imports[name] = (callback: () => void, ms: number) => {
      const timer = setTimeout(() => {
        engineTimers.delete(timer);
        callback();
      }, ms >>> 0);
      engineTimers.add(timer);
      return timer;
    };
  }
  return imports;
}

/** The slice of the global WebAssembly API used here (the project's lib settings do not declare it). */
declare const WebAssembly: {
  instantiate(bytes: Uint8Array, imports: Record<string, unknown>): Promise<{ instance: { exports: Record<string, unknown> } }>;
};

/** Instantiates the WASM module once per process (the glue keeps it in a module-level variable). */
function startWasm(): Promise<typeof glue> {
  started ??= (async () => {
    const entry = fileURLToPath(import.meta.resolve('@prisma/schema-engine-wasm'));
    const bytes = await readFile(join(dirname(entry), 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': importsOf(glue) });
    glue.__wbg_set_wasm(instance.exports as never);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })();
  return started;
}

/**
 * adapter-pg does not know PostgreSQL's internal `"char"` type (OID 18), which the engine's catalog
 * queries return (e.g. pg_constraint.contype), and fails with "Column type 'char' could not be
 * deserialized". Reporting those fields as text (OID 25) is exact: a `"char"` is one character of text.
 */
class CharAsTextPool extends pg.Pool {
  override query(...args: unknown[]): never {
    return patchResult((super.query as (...a: unknown[]) => unknown).apply(this, args)) as never;
  }

  override connect(...args: unknown[]): never {
    const patchClient = (client: pg.PoolClient | undefined): void => {
      if (!client || (client as { __charAsText?: boolean }).__charAsText) return;
      const original = client.query.bind(client) as (...a: unknown[]) => unknown;
      (client as { query: unknown }).query = (...a: unknown[]) => patchResult(original(...a));
      (client as { __charAsText?: boolean }).__charAsText = true;
    };
    const callback = args[0];
    if (typeof callback === 'function') {
      // pg.Pool's own query() checks clients out this way.
      return super.connect((err, client, done) => {
        patchClient(client);
        (callback as (...a: unknown[]) => void)(err, client, done);
      }) as never;
    }
    return (super.connect() as Promise<pg.PoolClient>).then((client) => {
      patchClient(client);
      return client;
    }) as never;
  }
}

function patchResult(result: unknown): unknown {
  if (!(result instanceof Promise)) return result;
  return result.then((r: unknown) => {
    for (const res of Array.isArray(r) ? r : [r]) {
      for (const field of (res as { fields?: Array<{ dataTypeID: number }> } | undefined)?.fields ?? []) {
        if (field.dataTypeID === 18) field.dataTypeID = 25;
      }
    }
    return r;
  });
}

/**
 * How the engine's scripts (the migrations) reach the database. adapter-pg's own `executeScript`
 * splits a script at every `;` — also inside a quoted name such as `"Notes; internal"` — and runs the
 * pieces one by one, so a failure leaves the statements before it applied. Here a script is sent
 * whole, as one simple query, which is what `prisma migrate deploy` does with its own engine: PostgreSQL
 * runs it as one implicit transaction, all of it or none of it. PGlite's `exec` is the same protocol.
 */
export interface ScriptLog {
  /** The last script that failed since `clear()`: its error, and whether the database rolled it back. */
  lastFailure: { error: unknown; rolledBack: boolean } | undefined;
  /** Scripts that ran to the end (committed) since `clear()`. */
  completed: string[];
  clear(): void;
}

function scriptLog(): ScriptLog {
  return {
    lastFailure: undefined,
    completed: [],
    clear() {
      this.lastFailure = undefined;
      this.completed = [];
    },
  };
}

/** Runs a whole script in one simple query on a connection of its own. */
async function runScriptOnPostgres(url: string, script: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, application_name: 'bubble-runtime migrate' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(script);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Replaces the adapter's `executeScript` with `run`, noting failures in `log`. */
function withScripts<F extends { connect(): Promise<{ executeScript(script: string): Promise<void> }> }>(
  factory: F,
  log: ScriptLog,
  run: (script: string) => Promise<void>,
): F {
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    adapter.executeScript = async (script: string) => {
      try {
        await run(script);
        log.completed.push(script);
      } catch (err) {
        // A statement error ends the implicit transaction with a rollback; a lost connection leaves
        // the outcome unknown (the server may have committed just before).
        log.lastFailure = { error: err, rolledBack: !isConnectionError(err) };
        throw err;
      }
    };
    return adapter;
  };
  return factory;
}

/** A driver-adapter factory on the same database as `db` (its own connection for PostgreSQL). */
function adapterFactoryFor(db: Db, log: ScriptLog): { factory: SqlMigrationAwareDriverAdapterFactory; dispose: () => Promise<void> } {
  if (db instanceof PostgresDb) {
    const url = db.target.url;
    const pool = new CharAsTextPool({ connectionString: url, max: 2, application_name: 'bubble-runtime migrate' });
    pool.on('error', () => undefined);
    return { factory: withScripts(new PrismaPg(pool), log, (script) => runScriptOnPostgres(url, script)), dispose: () => pool.end() };
  }
  if (db instanceof PgliteDb) {
    // pglite-prisma-adapter 0.7.2's own `executeScript` does not await `exec`: a failing script would be reported as applied.
    const pglite = db.pglite;
    return {
      factory: withScripts(new PrismaPGlite(pglite), log, async (script) => void (await pglite.exec(script))),
      dispose: async () => undefined,
    };
  }
  throw new BubbleError(
    'MIGRATE_UNSUPPORTED',
    `bubble-runtime migrate needs a PostgreSQL URL or the embedded PGlite database, not a ${db.kind} connection.`,
  );
}

export interface EngineHandle {
  engine: SchemaEngine;
  /** Outcome of the scripts the engine ran. */
  scripts: ScriptLog;
  /** Messages the engine logged (JSON lines), for error reports. */
  logs: string[];
  /** The driver error behind an engine error that only says "External error id#N", else `err` itself. */
  explain(err: unknown): unknown;
  dispose(): Promise<void>;
}

/** A schema engine connected to `db`, loaded with the given schema files (path → text). */
export async function openEngine(db: Db, datamodels: Array<[string, string]>): Promise<EngineHandle> {
  const { SchemaEngine } = await startWasm();
  const scripts = scriptLog();
  const { factory, dispose } = adapterFactoryFor(db, scripts);
  const logs: string[] = [];
  const bound = bindMigrationAwareSqlAdapterFactory(factory);
  const explain = (err: unknown): unknown => {
    const id = /External error id#(\d+)/.exec(err instanceof Error ? err.message : String(err))?.[1];
    const record = id === undefined ? undefined : bound.errorRegistry.consumeError(Number(id));
    const inner = record?.error as { cause?: unknown; originalMessage?: unknown; message?: unknown } | undefined;
    return inner?.cause ?? inner ?? err;
  };
  openEngines += 1;
  const release = async (): Promise<void> => {
    openEngines -= 1;
    if (openEngines === 0) {
      for (const timer of engineTimers) clearTimeout(timer);
      engineTimers.clear();
    }
    await dispose();
  };
  try {
    const engine = await SchemaEngine.new({ datamodels }, (line: string) => logs.push(line), bound);
    return {
      engine,
      scripts,
      logs,
      explain,
      async dispose() {
        engine.free();
        await release();
      },
    };
  } catch (err) {
    await release();
    throw explain(err);
  }
}
