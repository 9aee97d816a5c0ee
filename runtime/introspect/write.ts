/** Reading and writing dictionary files: validated on read, atomic (temp file + rename) on write. */
import { readFile } from 'node:fs/promises';
import { parseDictionary } from '../../core/dictionary/read.js';
import type { Dictionary } from '../../core/dictionary/schema.js';

export { writeFileAtomic } from '../../core/fs.js';

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
  return {
    dictionary: parseDictionary(text, path, {
      hint: 'Fix or delete the file; introspect merges into it and will not overwrite what it cannot read.',
    }),
    text,
  };
}
