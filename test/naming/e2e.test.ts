/**
 * End to end: the nastiest names from the unit cases, run through the sanitisers, the escapers and
 * the database allocators, make a schema that the real Prisma CLI validates and generates a client
 * for (which the real tsc accepts); and the same column names, created through sqlIdent in a real PostgreSQL, come back byte-exact.
 */
import pg from 'pg';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  ModelNameRegistry,
  NameSanitiser,
  STANDARD_COLUMN_NAMES,
  STANDARD_FIELD_NAMES,
  createColumnAllocator,
  createTableAllocator,
  docComment,
  prismaString,
  sqlIdent,
} from '../../generator/naming/index.js';
import { createTestDatabase } from '../support/database.js';
import { makeTempProject, PRISMA_CONFIG, repoRoot, runPrisma } from '../support/prisma-cli.js';

/** Type-checks the generated client with the real TypeScript compiler; resolves to its output. */
function typecheck(file: string, cwd: string): Promise<{ code: number; output: string }> {
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = [
    '--ignoreConfig',
    '--noEmit',
    '--skipLibCheck',
    '--strict',
    '--module',
    'nodenext',
    '--moduleResolution',
    'nodenext',
    '--target',
    'es2022',
    file,
  ];
  return new Promise((done) => {
    execFile(process.execPath, [tsc, ...args], { cwd, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, output: stdout + stderr });
    });
  });
}

const NASTY_KEYS = [
  '2nd Payment %',
  '1st Payment %',
  '_id',
  'select',
  'Customer Name',
  'customer-name',
  'Commission Paid?',
  'Is Admin?',
  '# of units',
  'A&B',
  'Price ($)',
  'Tax/VAT',
  'Sq. Ft.',
  '😀',
  '客户名称',
  '',
  '   ',
  '__proto__',
  'constructor',
  'then',
  'toString',
  'id',
  'Slug',
  '_raw',
  'createdAt',
  'a"b',
  'back\\slash',
  'new\nline',
  'tab\there',
  'comment */ end',
  'nul\u0000byte',
  `${'Amount eligible for commission '.repeat(3)}A`,
  `${'Amount eligible for commission '.repeat(3)}B`,
  'é'.repeat(40),
  'x'.repeat(200),
];
const NASTY_TYPES = [
  ['rentalunit', 'Rental Unit'],
  ['rental_unit', 'rental unit'],
  ['all', 'All'],
  ['prisma', 'Prisma'],
  ['and', 'AND'],
  ['class', 'class'],
  ['syncjob', 'Sync Job'],
  ['report2024', '2024 report'],
  ['empty', ''],
  ['string', 'String'],
  ['emoji', '😀 type */'],
  ['x'.repeat(80), 'x'.repeat(80)],
];

function modelText(model: string, table: string, keys: readonly string[]): string {
  const sanitiser = new NameSanitiser();
  const columns = createColumnAllocator();
  const standard = STANDARD_FIELD_NAMES.map((field, i) => {
    const type = field === 'id' ? 'String @id' : 'String?';
    return `  ${field} ${type} @map(${prismaString(STANDARD_COLUMN_NAMES[i]!)})`;
  });
  const fields = keys.map(
    (key) => `  /// ${docComment(key)}\n  ${sanitiser.sanitize(key)} String? @map(${prismaString(columns.allocate(key))})`,
  );
  return `/// ${docComment(table)}\nmodel ${model} {\n${[...standard, ...fields].join('\n')}\n\n  @@map(${prismaString(table)})\n}\n`;
}

function buildSchema(): string {
  const models = new ModelNameRegistry();
  const tables = createTableAllocator();
  return NASTY_TYPES.map(([name, display]) => modelText(models.sanitize(name!, display!), tables.allocate(name!), NASTY_KEYS)).join('\n');
}

describe('naming end to end', () => {
  // The generated client copies `///` comments into JSDoc blocks: a comment terminator in a key would
  // end them early if docComment did not escape it, which tsc would then reject.
  test('a schema of the nastiest names passes the real `prisma validate` and `prisma generate`, and the client type-checks', async () => {
    const project = makeTempProject({
      'prisma.config.ts': PRISMA_CONFIG,
      'prisma/schema/schema.prisma':
        'generator client {\n  provider = "prisma-client"\n  output   = "../../generated/client"\n}\n\ndatasource db {\n  provider = "postgresql"\n}\n',
      'prisma/schema/bubble.prisma': buildSchema(),
    });
    try {
      const validate = await runPrisma(['validate'], project.dir);
      expect(validate.stderr).not.toMatch(/error/i);
      expect(validate.code).toBe(0);
      const generate = await runPrisma(['generate'], project.dir);
      expect(generate.stderr).not.toMatch(/error/i);
      expect(generate.code).toBe(0);
      expect(readdirSync(join(project.dir, 'generated', 'client'))).toContain('client.ts');
      const checked = await typecheck(join('generated', 'client', 'client.ts'), project.dir);
      expect(checked.output).toBe('');
      expect(checked.code).toBe(0);
    } finally {
      project.cleanup();
    }
  });

  test('allocated columns created through sqlIdent come back byte-exact from PostgreSQL', async () => {
    const db = await createTestDatabase('naming');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const columns = createColumnAllocator();
      const names = [...STANDARD_COLUMN_NAMES, ...NASTY_KEYS.map((k) => columns.allocate(k))];
      const table = createTableAllocator('bubble_').allocate(`bubble_${'t'.repeat(70)}`);
      await client.query(`CREATE TABLE ${sqlIdent(table)} (${names.map((n) => `${sqlIdent(n)} text`).join(', ')})`);
      const { rows } = await client.query<{ column_name: string }>(
        'SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position',
        [table],
      );
      expect(rows.map((r) => r.column_name)).toEqual(names);
    } finally {
      await client.end();
      await db.drop();
    }
  });
});
