/**
 * Finds the Prisma schema folder and its files: `--schema <folder>` first, else prisma.config.ts's
 * `schema`, else Prisma's defaults. A single-file schema is refused (the generator writes its models
 * into a file beside the one holding the block, which needs a folder).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readPrismaConfig } from './config.js';
import { ProjectError } from '../../core/errors.js';

const SINGLE_FILE_HINT =
  "Move the file into a folder (e.g. prisma/schema/schema.prisma) and point prisma.config.ts at the folder: defineConfig({ schema: 'prisma/schema' }), or pass --schema <folder>.";

export interface SchemaLocation {
  /** prisma.config.ts, when one was found and used. */
  configFile: string | null;
  /** The project folder: the one holding prisma.config.ts, else the current directory. */
  projectDir: string;
  /** Absolute path of the schema folder. */
  schemaDir: string;
  /** Every `.prisma` file of the folder as [absolute path, text], as Prisma loads them. */
  files: Array<[string, string]>;
  /** Where migrations live: prisma.config.ts `migrations.path`, else `<schemaDir>/migrations` (Prisma's default). */
  migrationsDir: string;
}

export interface ResolveSchemaOptions {
  /** `--schema`: a schema folder, relative to `cwd`. */
  schema?: string;
  cwd?: string;
}

export async function resolveSchema(options: ResolveSchemaOptions = {}): Promise<SchemaLocation> {
  const cwd = resolve(options.cwd ?? process.cwd());
  let configFile: string | null = null;
  let migrationsPath: string | undefined;
  let schemaPath: string;
  if (options.schema !== undefined) {
    schemaPath = resolve(cwd, options.schema);
    if (!existsSync(schemaPath))
      throw new ProjectError(
        'SCHEMA_NOT_FOUND',
        `--schema ${options.schema}: no such folder (${schemaPath}).`,
        'Pass the folder that holds your .prisma files.',
      );
  } else {
    const config = await readPrismaConfig(cwd);
    configFile = config.configFile;
    migrationsPath = config.migrationsPath;
    if (config.schema) {
      schemaPath = config.schema;
      if (!existsSync(schemaPath)) {
        throw new ProjectError(
          'SCHEMA_NOT_FOUND',
          `prisma.config.ts names the schema ${schemaPath}, which does not exist.`,
          'Fix `schema` in prisma.config.ts or pass --schema <folder>.',
        );
      }
    } else {
      const found = [join(cwd, 'prisma', 'schema.prisma'), join(cwd, 'schema.prisma')].find((p) => existsSync(p));
      if (!found) {
        throw new ProjectError(
          'SCHEMA_NOT_FOUND',
          `No Prisma schema found from ${cwd}${configFile ? ` (${configFile} sets no schema)` : ' (no prisma.config.ts)'}.`,
          "Add prisma.config.ts with defineConfig({ schema: 'prisma/schema' }) (a folder of .prisma files), or pass --schema <folder>.",
        );
      }
      schemaPath = found;
    }
  }
  if (!statSync(schemaPath).isDirectory()) {
    throw new ProjectError(
      'SINGLE_FILE_SCHEMA',
      `The Prisma schema ${schemaPath} is a single file; prisma-generator-bubble needs a schema folder.`,
      SINGLE_FILE_HINT,
    );
  }
  const files = await loadSchemaFiles(schemaPath);
  if (files.length === 0)
    throw new ProjectError(
      'SCHEMA_NOT_FOUND',
      `The schema folder ${schemaPath} holds no .prisma files.`,
      'Put your schema.prisma (with the datasource block) in it.',
    );
  return {
    configFile,
    projectDir: configFile ? dirname(configFile) : cwd,
    schemaDir: schemaPath,
    files,
    migrationsDir: migrationsPath ?? join(schemaPath, 'migrations'),
  };
}

/** Loads the folder with Prisma's own loader (same file set and order as the CLI). */
async function loadSchemaFiles(dir: string): Promise<Array<[string, string]>> {
  const internals = (await import('@prisma/internals')) as unknown as InternalsModule & { default?: InternalsModule };
  const getSchemaWithPath = internals.getSchemaWithPath ?? internals.default?.getSchemaWithPath;
  if (!getSchemaWithPath) throw new Error('@prisma/internals does not export getSchemaWithPath');
  const result = await getSchemaWithPath({ schemaPath: { cliProvidedPath: dir } });
  return result.schemas.map(([path, text]) => [path, text]);
}

interface InternalsModule {
  getSchemaWithPath?: (options: { schemaPath: { cliProvidedPath: string } }) => Promise<{ schemas: Array<[string, string]> }>;
}
