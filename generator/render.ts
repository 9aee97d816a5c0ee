/**
 * The pure half of `generate`: dictionary → manifest, models text and adapter sources, with no file
 * access. `generate.ts` does the I/O around it.
 */
import { dictionaryHash } from '../core/dictionary/read.js';
import type { Dictionary } from '../core/dictionary/schema.js';
import { renderAdapters, type EmittedFile } from './emit/adapters.js';
import { formatPrismaBlocks } from './emit/format.js';
import { renderModelBlocks } from './emit/models.js';
import { buildManifest, type NamingNote } from './manifest/build.js';
import { MANIFEST_FILE, type Manifest } from '../core/manifest/schema.js';

export interface RenderInput {
  dictionary: Dictionary;
  modelPrefix?: string;
  tablePrefix?: string;
  generatedBy: string;
  /** POSIX paths as written into the outputs: relative to the manifest's folder… */
  paths: {
    modelsFile: string;
    schemaDir: string;
    dictionary: string;
    /** …and the dictionary relative to the models file (its header comment). */
    dictionaryFromModels: string;
  };
}

export interface Rendered {
  manifest: Manifest;
  naming: NamingNote[];
  /** The models file, formatted as `prisma format` leaves it. */
  models: string;
  /** The manifest file and the adapters, relative to the output folder. */
  outputs: EmittedFile[];
}

export async function render(input: RenderInput): Promise<Rendered> {
  const { manifest, naming } = buildManifest(input.dictionary, {
    ...(input.modelPrefix === undefined ? {} : { modelPrefix: input.modelPrefix }),
    ...(input.tablePrefix === undefined ? {} : { tablePrefix: input.tablePrefix }),
    generatedBy: input.generatedBy,
    dictionaryHash: dictionaryHash(input.dictionary),
    modelsFile: input.paths.modelsFile,
    schemaDir: input.paths.schemaDir,
    dictionary: input.paths.dictionary,
  });
  const models = await formatPrismaBlocks(renderModelBlocks(manifest, { dictionary: input.paths.dictionaryFromModels }));
  const outputs = [
    { path: MANIFEST_FILE, text: renderManifest(manifest) },
    ...renderAdapters(manifest, { dictionary: input.paths.dictionary }),
  ];
  return { manifest, naming, models, outputs };
}

/** The manifest file's text: stable key order (as built), two-space indent, trailing newline. */
export function renderManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
