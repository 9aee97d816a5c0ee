/**
 * Where the demo keeps its files. Everything the demo creates lives under `<dir>/.bubble/`: a
 * self-contained sample project in `.bubble/demo/` (dictionary, schema folder, migrations, generated
 * manifest and adapters, its own PGlite database) and the run reports in `.bubble/reports/`, like a
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
    database: join(project, 'pglite'),
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
