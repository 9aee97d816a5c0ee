/**
 * Reads `prisma.config.ts` with Prisma's own loader (`@prisma/config`, which the `prisma` package
 * depends on), so paths resolve exactly as the Prisma CLI resolves them. Configs commonly say
 * `url: env('DATABASE_URL')`, which throws when the variable is unset (the PGlite default), although
 * we only need `schema` and `migrations.path`: then the load is retried with a placeholder value.
 */
import { ProjectError } from '../../core/errors.js';

export interface PrismaConfigPaths {
  /** Absolute path of the config file, or null when there is none. */
  configFile: string | null;
  /** Absolute schema path from the config (file or folder), when set. */
  schema?: string;
  /** Absolute migrations folder from the config, when set. */
  migrationsPath?: string;
}

interface LoadedConfig {
  resolvedPath: string | null;
  config?: { schema?: string; migrations?: { path?: string } };
  error?: { _tag: string; error?: Error };
}

export async function readPrismaConfig(cwd: string): Promise<PrismaConfigPaths> {
  // A config may load an env file itself (the README's does, for the Prisma CLI); bubble-runtime has
  // read its own (./.env or --env-file) already, and the config must not add to it.
  const before = { ...process.env };
  try {
    return await loadPaths(cwd);
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in before)) delete process.env[name];
    Object.assign(process.env, before);
  }
}

async function loadPaths(cwd: string): Promise<PrismaConfigPaths> {
  const { loadConfigFromFile } = (await import('@prisma/config')) as unknown as {
    loadConfigFromFile(input: { configRoot?: string }): Promise<LoadedConfig>;
  };
  let result = await loadConfigFromFile({ configRoot: cwd });
  if (result.error?._tag === 'ConfigLoadError' && result.error.error?.name === 'PrismaConfigEnvError') {
    setPlaceholders();
    result = await loadConfigFromFile({ configRoot: cwd });
  }
  if (result.error) {
    if (result.error._tag === 'ConfigFileNotFound') return { configFile: null };
    throw new ProjectError(
      'PRISMA_CONFIG',
      `Cannot load ${result.resolvedPath ?? 'prisma.config.ts'}: ${result.error.error?.message ?? result.error._tag}`,
      'Fix prisma.config.ts (does `npx prisma validate` load it?), or pass --schema <folder>.',
      result.error.error,
    );
  }
  return {
    configFile: result.resolvedPath,
    schema: result.config?.schema,
    migrationsPath: result.config?.migrations?.path,
  };
}

/** Environment variables a config typically requires that do not matter for finding files. */
const PLACEHOLDERS: Record<string, string> = {
  DATABASE_URL: 'postgresql://placeholder@localhost:5432/placeholder',
  DIRECT_URL: 'postgresql://placeholder@localhost:5432/placeholder',
  SHADOW_DATABASE_URL: 'postgresql://placeholder@localhost:5432/placeholder',
};

/** Sets the placeholders the environment lacks (readPrismaConfig restores the environment afterwards). */
function setPlaceholders(): void {
  for (const [name, value] of Object.entries(PLACEHOLDERS)) process.env[name] ??= value;
}
