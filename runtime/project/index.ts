/**
 * Project discovery for `migrate`, `sync` and `status`: the schema folder (--schema or
 * prisma.config.ts), the `generator bubble` block in it, the block's `output`, and the manifest there.
 */
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ProjectError } from '../../core/errors.js';
import { GENERATE, loadManifest } from '../../core/manifest/read.js';
import { MANIFEST_FILE, type Manifest } from '../../core/manifest/schema.js';
import { resolveSchema, type ResolveSchemaOptions, type SchemaLocation } from './schema.js';

export { resolveSchema, type SchemaLocation, type ResolveSchemaOptions } from './schema.js';
export { readPrismaConfig, type PrismaConfigPaths } from './config.js';

export interface BubbleGeneratorBlock {
  name: string;
  /** Absolute path of the file holding the block. */
  sourceFilePath: string;
  /** Absolute output folder. */
  output: string;
  /** The block's options as strings (dictionary, modelsFile, …). */
  config: Record<string, string | string[] | undefined>;
}

export interface Project extends SchemaLocation {
  generator: BubbleGeneratorBlock;
  manifestPath: string;
  manifest: Manifest;
}

/** Finds everything a command needs; throws ProjectError with a next step when something is missing. */
export async function resolveProject(options: ResolveSchemaOptions = {}): Promise<Project> {
  const location = await resolveSchema(options);
  const generator = await findBubbleGenerator(location);
  const manifestPath = join(generator.output, MANIFEST_FILE);
  return { ...location, generator, manifestPath, manifest: loadManifest(manifestPath) };
}

interface GeneratorConfig {
  name: string;
  provider: { value: string | null };
  output: { value: string | null } | null;
  config: Record<string, string | string[] | undefined>;
  sourceFilePath: string;
}

interface InternalsModule {
  getConfig?: (options: { datamodel: Array<[string, string]> }) => Promise<{ generators: GeneratorConfig[] }>;
}

/** The `generator bubble` block (or the one whose provider is prisma-generator-bubble). */
/** The way from the schema folder back to the project folder, e.g. `../../` for prisma/schema. */
function toProject(location: SchemaLocation): string {
  const up = relative(location.schemaDir, location.projectDir).split(sep).filter(Boolean).join('/');
  return up === '' ? './' : `${up}/`;
}

export async function findBubbleGenerator(location: SchemaLocation): Promise<BubbleGeneratorBlock> {
  const internals = (await import('@prisma/internals')) as unknown as InternalsModule & { default?: InternalsModule };
  const getConfig = internals.getConfig ?? internals.default?.getConfig;
  if (!getConfig) throw new Error('@prisma/internals does not export getConfig');
  let generators: GeneratorConfig[];
  try {
    generators = (await getConfig({ datamodel: location.files })).generators;
  } catch (err) {
    throw new ProjectError(
      'SCHEMA_INVALID',
      `The Prisma schema in ${location.schemaDir} does not parse: ${(err as Error).message}`,
      'Run `npx prisma validate` to see the problem.',
      err,
    );
  }
  const block =
    generators.find((g) => g.name === 'bubble') ?? generators.find((g) => /prisma-generator-bubble/.test(g.provider.value ?? ''));
  // Paths in a block are relative to its file; the hints point from the schema folder back to the project.
  const up = toProject(location);
  if (!block) {
    throw new ProjectError(
      'NO_BUBBLE_GENERATOR',
      `No \`generator bubble\` block in the schema folder ${location.schemaDir}.`,
      `Add one: generator bubble { provider = "prisma-generator-bubble"  dictionary = "${up}bubble/dictionary.json"  output = "${up}generated/bubble" }, then run ${GENERATE}.`,
    );
  }
  const output = block.output?.value;
  if (!output) {
    throw new ProjectError(
      'NO_GENERATOR_OUTPUT',
      `The \`generator ${block.name}\` block in ${block.sourceFilePath} sets no output.`,
      `Add output = "${up}generated/bubble" (any folder) and run ${GENERATE}.`,
    );
  }
  return {
    name: block.name,
    sourceFilePath: block.sourceFilePath,
    output: isAbsolute(output) ? output : resolve(dirname(block.sourceFilePath), output),
    config: block.config,
  };
}
