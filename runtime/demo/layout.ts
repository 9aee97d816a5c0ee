/**
 * Where the demo keeps its files. Everything the demo creates lives under `<dir>/.bubble/`: a
 * self-contained sample project in `.bubble/demo/` (dictionary, schema folder, migrations, generated
 * manifest and adapters, its own PGlite database in `.bubble/demo/.bubble/pglite`, where the CLI looks
 * when run inside that folder) and the run reports in `.bubble/reports/`, like a
 * real sync. The demo's database is its own, so running the demo inside a real project never mixes
 * the sample app's tables into that project's embedded database.
 */
import { join, resolve } from 'node:path';

export interface DemoLayout {
  /** The folder the demo was run in (`--dir`, default the cwd). */
  root: string;
  /** `<root>/.bubble/demo`: the sample project. */
  project: string;
  dictionary: string;
  schemaDir: string;
  migrationsDir: string;
  /** Generator output: manifest and adapters. */
  generated: string;
  /** `prisma.config.ts` of the sample project, so `bubble-runtime status` works from inside it. */
  config: string;
  /** The project's embedded database: where `bubble-runtime` looks when run in `project`. */
  database: string;
  state: string;
  reports: string;
}

export function demoLayout(dir: string): DemoLayout {
  const root = resolve(dir);
  const project = join(root, '.bubble', 'demo');
  const schemaDir = join(project, 'prisma', 'schema');
  return {
    root,
    project,
    dictionary: join(project, 'bubble', 'dictionary.json'),
    schemaDir,
    migrationsDir: join(schemaDir, 'migrations'),
    generated: join(project, 'generated'),
    config: join(project, 'prisma.config.ts'),
    database: join(project, '.bubble', 'pglite'),
    state: join(project, 'demo-state.json'),
    reports: join(root, '.bubble', 'reports'),
  };
}

/** The schema file holding the datasource and the `generator bubble` block (the generator writes bubble.prisma beside it). */
export function demoSchemaPrisma(): string {
  return `// The demo's sample project, written by \`bubble-runtime demo\`.
datasource db {
  provider = "postgresql"
}

generator bubble {
  provider   = "prisma-generator-bubble"
  dictionary = "../../bubble/dictionary.json"
  output     = "../../generated"
}
`;
}

/** A config without imports (the folder has no node_modules of its own): Prisma reads a plain object too. */
export function demoPrismaConfig(): string {
  return `// The demo's sample project, written by \`bubble-runtime demo\`.
export default {
  schema: 'prisma/schema',
};
`;
}
