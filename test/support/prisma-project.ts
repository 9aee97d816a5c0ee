/**
 * A user's project as the generated `syncAll` path sees it: a temp project whose schema folder holds
 * `models`, a real Prisma Client generated from it (prisma-client generator), a fresh database migrated
 * to it by `migrate`, and that client connected through adapter-pg.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PrismaPg } from '@prisma/adapter-pg';
import { openDb } from '../../runtime/db/open.js';
import { migrate } from '../../runtime/migrate/migrate.js';
import { createTestDatabase } from './database.js';
import { makeTempProject, PRISMA_CONFIG, runPrisma } from './prisma-cli.js';

const SCHEMA =
  'datasource db {\n  provider = "postgresql"\n}\n\ngenerator client {\n  provider = "prisma-client"\n  output   = "../../generated/client"\n}\n';

export interface PrismaProject<C> {
  prisma: C;
  /** Disconnects the client, drops the database, removes the project. */
  cleanup(): Promise<void>;
}

export async function migratedPrismaProject<C extends { $disconnect(): Promise<void> }>(
  models: string,
  prefix: string,
): Promise<PrismaProject<C>> {
  const project = makeTempProject({
    'prisma.config.ts': PRISMA_CONFIG,
    'prisma/schema/schema.prisma': SCHEMA,
    'prisma/schema/bubble.prisma': models,
  });
  const database = await createTestDatabase(prefix);
  let prisma: C | undefined;
  const cleanup = async (): Promise<void> => {
    await prisma?.$disconnect();
    await database.drop();
    project.cleanup();
  };
  try {
    const generated = await runPrisma(['generate'], project.dir);
    if (generated.code !== 0 || /error/i.test(generated.stderr))
      throw new Error(`prisma generate failed:\n${generated.stdout}\n${generated.stderr}`);
    const schemaDir = join(project.dir, 'prisma/schema');
    const setup = await openDb({ databaseUrl: database.url });
    try {
      await migrate({
        db: setup,
        schemaDir,
        files: [
          [join(schemaDir, 'schema.prisma'), SCHEMA],
          [join(schemaDir, 'bubble.prisma'), models],
        ],
        migrationsDir: join(schemaDir, 'migrations'),
      });
    } finally {
      await setup.close();
    }
    const { PrismaClient } = (await import(pathToFileURL(join(project.dir, 'generated/client/client.ts')).href)) as {
      PrismaClient: new (o: object) => C;
    };
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
    return { prisma, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
