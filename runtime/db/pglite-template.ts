/**
 * A freshly initialised PGlite data folder, packed once at build time (`dist/pglite-template/`, per
 * PGlite version). A new embedded database is unpacked from it instead of running initdb, which takes
 * several seconds and peaks near 900 MB (a second PGlite and the initdb module run alongside). Unpacking
 * streams (gunzip → tar → files), so it costs next to no memory. When the file for the installed PGlite
 * is missing, PGlite runs initdb as usual.
 */
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, normalize, sep } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { packageRoot } from '../../core/version.js';

function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  return (JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/** Where the template for the installed PGlite lives, when it does. */
function templatePath(): string | null {
  const root = packageRoot();
  if (root === null) return null;
  const path = join(root, 'dist', 'pglite-template', `pglite-${pgliteVersion()}.tar.gz`);
  return existsSync(path) ? path : null;
}

/** The template as PGlite's `loadDataDir` takes it (for in-memory databases), or undefined when there is none. */
export function readPgliteTemplate(): Blob | undefined {
  const path = templatePath();
  return path === null ? undefined : new Blob([readFileSync(path)]);
}

/**
 * Unpacks the template into `dir`, which must not exist yet (written aside, then renamed: an
 * interrupted unpack never leaves a half database). Resolves to false when there is no template.
 */
export async function unpackPgliteTemplate(dir: string): Promise<boolean> {
  const path = templatePath();
  if (path === null) return false;
  const aside = `${dir}.unpacking-${process.pid}`;
  rmSync(aside, { recursive: true, force: true });
  mkdirSync(aside, { recursive: true });
  try {
    await pipeline(createReadStream(path), createGunzip(), untar(aside));
    renameSync(aside, dir);
  } catch (err) {
    rmSync(aside, { recursive: true, force: true });
    throw err;
  }
  return true;
}

/** Writes the template unless it exists: `npm run build` calls this. */
export async function ensurePgliteTemplate(): Promise<void> {
  const root = packageRoot();
  if (root === null) throw new Error('Cannot find the prisma-generator-bubble package folder.');
  const path = join(root, 'dist', 'pglite-template', `pglite-${pgliteVersion()}.tar.gz`);
  if (existsSync(path)) return;
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create();
  const dump = await db.dumpDataDir('gzip');
  await db.close();
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.${process.pid}`;
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  renameSync(partial, path);
}

const BLOCK = 512;

/** A tar reader for what PGlite's dumps hold (ustar headers, regular files and folders), writing under `root`. */
function untar(root: string): Writable {
  let pending: Buffer = Buffer.alloc(0);
  /** The file being written and the bytes of it still to come (plus the padding to the next block). */
  let file: { fd: number; left: number; padding: number } | null = null;

  const target = (name: string): string => {
    const rel = normalize(name.replace(/^\/+/, ''));
    if (rel.startsWith('..') || rel.startsWith(sep)) throw new Error(`The PGlite template holds an unsafe path: ${name}`);
    return join(root, rel);
  };

  const consume = (): void => {
    for (;;) {
      if (file !== null) {
        if (file.left > 0) {
          if (pending.length === 0) return;
          const chunk = pending.subarray(0, Math.min(file.left, pending.length));
          writeSync(file.fd, chunk);
          file.left -= chunk.length;
          pending = pending.subarray(chunk.length);
          continue;
        }
        if (pending.length < file.padding) return;
        pending = pending.subarray(file.padding);
        closeSync(file.fd);
        file = null;
      }
      if (pending.length < BLOCK) return;
      const header = pending.subarray(0, BLOCK);
      pending = pending.subarray(BLOCK);
      if (header.every((b) => b === 0)) continue;
      const field = (start: number, length: number): string =>
        header
          .subarray(start, start + length)
          .toString('utf8')
          .replace(/\0.*$/s, '');
      const prefix = field(345, 155);
      const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
      const size = parseInt(field(124, 12).trim() || '0', 8);
      const type = field(156, 1);
      if (type === '5') {
        mkdirSync(target(name), { recursive: true });
      } else if (type === '0' || type === '') {
        const path = target(name);
        mkdirSync(dirname(path), { recursive: true });
        file = { fd: openSync(path, 'w', 0o600), left: size, padding: (BLOCK - (size % BLOCK)) % BLOCK };
      } else {
        throw new Error(`The PGlite template holds an entry of unexpected type ${JSON.stringify(type)}: ${name}`);
      }
    }
  };

  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      try {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        consume();
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    final(done) {
      done(file === null ? null : new Error('The PGlite template ends inside a file.'));
    },
    destroy(err, done) {
      if (file !== null) closeSync(file.fd);
      done(err);
    },
  });
}
