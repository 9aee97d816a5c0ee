/**
 * Reading the data dictionary: parse, validate against the v1 schema, and report a bad file as one
 * line naming the JSON path of the bad entry and what was expected there.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BubbleError } from '../errors.js';
import { describeFirstIssue } from '../json-path.js';
import { packageVersion } from '../version.js';
import { DICTIONARY_VERSION, dictionarySchema, type Dictionary } from './schema.js';

/** Error code of every dictionary problem (file missing, not JSON, not v1). */
export const DICTIONARY_ERROR = 'DICTIONARY';

/** Reads and validates the dictionary file; throws `BubbleError` (code `DICTIONARY`) when it is not usable. */
export function loadDictionary(path: string): Dictionary {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const what =
      code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${code ?? 'error'})`;
    throw new BubbleError(DICTIONARY_ERROR, `Data dictionary ${path} ${what}.`, {
      hint: 'Run `bubble-runtime introspect --out <file>` to create it, or fix the `dictionary` path (relative to the file holding the generator block).',
      cause: err,
    });
  }
  return parseDictionary(text, path);
}

export interface ReadOptions {
  /** What to do about a file that is not a valid dictionary (the reader's caller knows best). */
  hint?: string;
}

const FIX_HINT = 'The file must follow the dictionary format v1 (docs/generator.md); re-run `bubble-runtime introspect` to rewrite it.';

/** Parses dictionary JSON text; `source` names the file in error messages. */
export function parseDictionary(text: string, source = 'data dictionary', options: ReadOptions = {}): Dictionary {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new BubbleError(DICTIONARY_ERROR, `Data dictionary ${source} is not valid JSON: ${(err as Error).message}.`, {
      hint: options.hint ?? 'Re-run `bubble-runtime introspect` or fix the file by hand.',
      cause: err,
    });
  }
  return validateDictionary(json, source, options);
}

/**
 * Validates an already-parsed dictionary value. Unknown keys are accepted (a newer release within
 * the same format version may add optional ones); a newer `version` asks for an upgrade.
 */
export function validateDictionary(json: unknown, source = 'data dictionary', options: ReadOptions = {}): Dictionary {
  const version = (json as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > DICTIONARY_VERSION) {
    throw new BubbleError(
      DICTIONARY_ERROR,
      `Data dictionary ${source} is format version ${version}; prisma-generator-bubble ${packageVersion()} reads version ${DICTIONARY_VERSION}.`,
      {
        hint: "It was written by a newer prisma-generator-bubble: upgrade this project's prisma-generator-bubble (npm install prisma-generator-bubble@latest).",
      },
    );
  }
  const result = dictionarySchema.safeParse(json);
  if (!result.success) {
    const { where, what } = describeFirstIssue(result.error, json);
    throw new BubbleError(DICTIONARY_ERROR, `Data dictionary ${source}: ${where}: ${what}.`, { hint: options.hint ?? FIX_HINT });
  }
  checkUnique(result.data, source);
  return result.data;
}

/**
 * Two types with one API name, or two fields with one record key, cannot both be placed (they would
 * map to one table or one column), so the dictionary is refused rather than guessed at.
 */
function checkUnique(dictionary: Dictionary, source: string): void {
  const typeNames = new Map<string, number>();
  dictionary.types.forEach((type, t) => {
    const seen = typeNames.get(type.name);
    if (seen !== undefined) {
      throw new BubbleError(
        DICTIONARY_ERROR,
        `Data dictionary ${source}: $.types[${t}].name: duplicate type name ${JSON.stringify(type.name)} (already at $.types[${seen}]).`,
      );
    }
    typeNames.set(type.name, t);
    const keys = new Map<string, number>();
    type.fields.forEach((field, f) => {
      const before = keys.get(field.key);
      if (before !== undefined) {
        throw new BubbleError(
          DICTIONARY_ERROR,
          `Data dictionary ${source}: $.types[${t}].fields[${f}].key: duplicate field key ${JSON.stringify(field.key)} in type ${JSON.stringify(type.name)} (already at fields[${before}]).`,
        );
      }
      keys.set(field.key, f);
    });
  });
}

/**
 * sha256 of the dictionary's canonical JSON (keys sorted): whitespace or key order in the file do not
 * change it, any content change does. The manifest records it so the CLI can tell a stale manifest.
 */
export function dictionaryHash(dictionary: Dictionary): string {
  return createHash('sha256').update(canonicalJson(dictionary)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}
