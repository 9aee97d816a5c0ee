/** Reading and writing dictionary files: validated on read, atomic (temp file + rename) on write. */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseDictionary } from '../../generator/dictionary/load.js';
import type { Dictionary } from '../../generator/dictionary/schema.js';

/** The bytes a dictionary is stored as: 2-space JSON, trailing newline. Same dictionary → same bytes. */
export function serializeDictionary(dictionary: Dictionary): string {
  return `${JSON.stringify(dictionary, null, 2)}\n`;
}

/**
 * Reads an existing dictionary with the generator's own reader (same rules, same JSON-path messages);
 * undefined when the file does not exist.
 */
export async function readDictionaryFile(path: string): Promise<{ dictionary: Dictionary; text: string } | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return { dictionary: parseDictionary(text, path, { hint: 'Fix or delete the file; introspect merges into it and will not overwrite what it cannot read.' }), text };
}

/** Writes `text` to `path` atomically: a reader sees the old file or the new one, never a part. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, 'utf8');
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
