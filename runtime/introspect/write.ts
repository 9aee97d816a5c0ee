/** Reading and writing dictionary files: validated on read, atomic (temp file + rename) on write. */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type Dictionary, dictionarySchema } from '../../generator/dictionary/schema.js';
import { BubbleError } from '../errors.js';

/** The bytes a dictionary is stored as: 2-space JSON, trailing newline. Same dictionary → same bytes. */
export function serializeDictionary(dictionary: Dictionary): string {
  return `${JSON.stringify(dictionary, null, 2)}\n`;
}

/** Reads an existing dictionary; undefined when the file does not exist; a clear error when it is not valid. */
export async function readDictionaryFile(path: string): Promise<{ dictionary: Dictionary; text: string } | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new BubbleError('DICTIONARY_INVALID', `${path} is not valid JSON (${(err as Error).message}).`, {
      hint: 'Fix or delete the file; introspect merges into it and will not overwrite what it cannot read.',
    });
  }
  const parsed = dictionarySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BubbleError('DICTIONARY_INVALID', `${path} is not a v1 data dictionary (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}).`, {
      hint: 'Fix or delete the file; introspect merges into it and will not overwrite what it cannot read.',
    });
  }
  return { dictionary: parsed.data, text };
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
