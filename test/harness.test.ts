import pg from 'pg';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase, testServerUrl } from './support/database.js';
import { makeTempProject, PRISMA_CONFIG, runPrisma } from './support/prisma-cli.js';

describe('test harness', () => {
  test('a real PostgreSQL 15 is running for the tests', async () => {
    const client = new pg.Client({ connectionString: testServerUrl() });
    await client.connect();
    const { rows } = await client.query<{ server_version_num: string }>('SHOW server_version_num');
    await client.end();
    expect(Number(rows[0]!.server_version_num)).toBeGreaterThanOrEqual(150000);
  });

  test('each test can create and drop its own database', async () => {
    const db = await createTestDatabase('harness');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query('CREATE TABLE t (x int)');
    await client.query('INSERT INTO t VALUES (1), (2)');
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM t');
    await client.end();
    await db.drop();
    expect(rows[0]!.n).toBe('2');
  });

  test('the real Prisma CLI validates and generates in a temp project', async () => {
    const project = makeTempProject({
      'prisma.config.ts': PRISMA_CONFIG,
      'prisma/schema/schema.prisma': `generator client {\n  provider = "prisma-client"\n  output   = "../../generated/client"\n}\n\ndatasource db {\n  provider = "postgresql"\n}\n\nmodel Thing {\n  id   String @id\n  name String @map("Thing \\"name\\"")\n}\n`,
    });
    try {
      const validate = await runPrisma(['validate'], project.dir);
      expect(validate.stdout + validate.stderr).toContain('is valid');
      expect(validate.code).toBe(0);
      const generate = await runPrisma(['generate'], project.dir);
      expect(generate.code).toBe(0);
      expect(readdirSync(join(project.dir, 'generated', 'client'))).toContain('client.ts');

      const broken = makeTempProject({
        'prisma.config.ts': PRISMA_CONFIG,
        'prisma/schema/schema.prisma': 'datasource db {\n  provider = "postgresql"\n}\n\nmodel 2nd {\n  id String @id\n}\n',
      });
      const rejected = await runPrisma(['validate'], broken.dir);
      broken.cleanup();
      expect(rejected.code).not.toBe(0);
    } finally {
      project.cleanup();
    }
  });
});
