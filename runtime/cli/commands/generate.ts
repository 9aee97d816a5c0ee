/**
 * `bubble-runtime generate [--schema <dir>] [--check]`: runs the `generator bubble` block of the schema
 * folder without the Prisma CLI (models file, manifest, adapters). `prisma generate` does the same
 * and also builds Prisma Client; this is for machines where the Prisma CLI cannot fetch its engine and
 * for a quick CI schema check.
 */
import type { Command } from 'commander';

interface GenerateFlags {
  schema?: string;
  check?: boolean;
}

export function register(program: Command): void {
  program
    .command('generate')
    .description(
      'Run the `generator bubble` block of the schema without the Prisma CLI: writes the models file, the manifest and the adapters (`prisma generate` does the same and also builds Prisma Client).',
    )
    .option('--schema <dir>', 'Prisma schema folder (default: from prisma.config.ts)')
    .option('--check', 'fail instead of rewriting a stale models file (like check = "true" or BUBBLE_SCHEMA_CHECK=1)')
    .action(async (flags: GenerateFlags) => {
      const { generate } = await import('../../../generator/generate.js');
      const { summarise } = await import('../../../generator/handler.js');
      const { CHECK_ENV, resolveBlockOptions } = await import('../../../generator/options.js');
      const { findBubbleGenerator } = await import('../../project/index.js');
      const { resolveSchema } = await import('../../project/schema.js');
      const cwd = process.cwd();
      const location = await resolveSchema({ schema: flags.schema, cwd });
      const block = await findBubbleGenerator(location);
      const env = flags.check ? { ...process.env, [CHECK_ENV]: '1' } : process.env;
      const options = resolveBlockOptions({
        config: block.config,
        output: block.output,
        sourceFilePath: block.sourceFilePath,
        schemaPath: location.schemaDir,
        env,
      });
      const result = await generate(options);
      const message = summarise(result, cwd, 'bubble-runtime');
      process.stdout.write(
        message === ''
          ? `Generated models are up to date with the data dictionary (${result.manifest.types.length} models).\n`
          : `${message}\n`,
      );
    });
}
