/**
 * In-memory PGlite databases for tests, started from a dump of a freshly initialised database instead
 * of running initdb each time (seconds per database). The dump is cached in the temp folder per
 * PGlite version, so only the first run on a machine pays for initdb once.
 */
import { PGlite } from '@electric-sql/pglite';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openPglite, type PgliteDb } from '../../runtime/db/pglite.js';

let template: Promise<Blob> | undefined;

function pgliteVersion(): string {
  return (JSON.parse(readFileSync(resolve('node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string }).version;
}

async function loadTemplate(): Promise<Blob> {
  const path = join(tmpdir(), `pgb-pglite-template-${pgliteVersion()}.tar`);
  if (existsSync(path)) return new Blob([readFileSync(path)]);
  const fresh = await PGlite.create();
  const dump = await fresh.dumpDataDir('none');
  await fresh.close();
  // Written aside and renamed: a parallel worker never reads half a file.
  const partial = `${path}.${process.pid}`;
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  renameSync(partial, path);
  return dump;
}

/** A fresh, empty in-memory PGlite database. */
export function memoryPglite(): Promise<PgliteDb> {
  template ??= loadTemplate();
  return template.then((loadDataDir) => openPglite(undefined, { loadDataDir }));
}
