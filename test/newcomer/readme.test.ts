/**
 * The README as a newcomer follows it, in a fresh project outside the repository: the package packed
 * and installed from its tarball (npm, from its cache where it can), steps 3–7 with nothing but a
 * `.env` file (embedded PGlite), `query --json`, the user's own Prisma Client reading the embedded
 * database through pglite-prisma-adapter, and the "From code" snippet compiled with tsc and run
 * against PostgreSQL. Snippets are taken from README.md itself, so the test fails when they rot.
 */
import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFakeBubble, type FakeBubble } from '../../runtime/fake-bubble/index.js';
import type { SyncResult } from '../../runtime/api.js';
import { createTestDatabase } from '../support/database.js';
import { engineStandIn } from '../support/prisma-cli.js';

const readme = readFileSync('README.md', 'utf8');
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { version?: string }> };
const RECORDS = 300;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The fenced code blocks of a README section, in order. */
function blocks(from: string, to: string): Array<{ lang: string; text: string }> {
  const start = readme.indexOf(from);
  const section = readme.slice(start, readme.indexOf(to, start));
  return [...section.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, text: m[2]! }));
}

/** The block whose first line is `// <name>` (how the README labels files). */
function file(name: string): string {
  const found = blocks('## Use it with your Bubble app', '## Reference').find((b) => b.text.startsWith(`// ${name}\n`));
  if (!found) throw new Error(`README.md has no block for ${name}`);
  return found.text;
}

/** `npm install` lines of the README, with each package pinned to the version this repository tested (deterministic, cacheable). */
function pinned(line: string, tarball: string): string[] {
  return line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map((arg) => {
      if (arg.endsWith('.tgz')) return tarball;
      if (arg.startsWith('-') || arg === 'install') return arg;
      const version = lock.packages[`node_modules/${arg}`]?.version;
      if (!version) throw new Error(`README installs ${arg}, which this repository does not use`);
      return `${arg}@${version}`;
    });
}

describe('the README, followed in a fresh project', () => {
  let fake: FakeBubble;
  let root: string;
  let project: string;
  let tarball: string;
  /** What the user's shell has: no Bubble or database variables (they come from .env). */
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NO_COLOR: '1',
    // This machine cannot download Prisma's schema engine; generate only needs the variable to name a file (README step 5).
    PRISMA_SCHEMA_ENGINE_BINARY: engineStandIn(),
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  };

  function sh(command: string, args: string[], timeout = 240_000): Promise<Run> {
    return new Promise((done) => {
      execFile(command, args, { cwd: project, env, timeout, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
    });
  }

  async function ok(command: string, args: string[]): Promise<string> {
    const run = await sh(command, args);
    if (run.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
    return run.stdout;
  }

  const npm = (args: string[]) => ok('npm', [...args, '--prefer-offline', '--no-audit', '--no-fund']);

  beforeAll(async () => {
    fake = await startFakeBubble({ records: RECORDS, latencyMs: 0 });
    root = mkdtempSync(join(tmpdir(), 'newcomer-'));
    // Step 1: `npm pack` (already built by `npm test`), then the README's install line in a new npm project.
    const packed = await new Promise<string>((done, fail) =>
      execFile('npm', ['pack', '--ignore-scripts', '--pack-destination', root], { cwd: resolve('.') }, (err, stdout) =>
        err ? fail(err) : done(stdout),
      ),
    );
    tarball = join(root, packed.trim().split('\n').at(-1)!);
    project = join(root, 'my-mirror');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{ "name": "my-mirror", "private": true }\n');
    const install = blocks('**1. Install.**', '**2.')
      .flatMap((b) => b.text.split('\n'))
      .find((l) => l.startsWith('npm install '))!;
    await npm(pinned(install, tarball));
  }, 300_000);

  afterAll(async () => {
    await fake.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('the tarball holds what users need and nothing of the tests', async () => {
    const list = await new Promise<string>((done, fail) =>
      execFile('tar', ['tzf', tarball], (err, stdout) => (err ? fail(err) : done(stdout))),
    );
    const files = list.trim().split('\n');
    expect(files).toContain('package/dist/runtime/cli/bin.js');
    // `demo` and `fake-bubble` serve the sample app through the fake Data API, both shipped under runtime/.
    expect(files).toEqual(
      expect.arrayContaining(['package/dist/runtime/fake-bubble/index.js', 'package/dist/runtime/sample-app/index.js']),
    );
    expect(files.some((f) => f.startsWith('package/dist/pglite-template/'))).toBe(true);
    expect(files.filter((f) => f.startsWith('package/dist/test/') || f.endsWith('.map') || f.startsWith('package/test/'))).toEqual([]);
    // The embedded database is one PGlite, at the top level where the user's code and pglite-prisma-adapter find it.
    const top = JSON.parse(readFileSync(join(project, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string };
    expect(top.version).toBe(lock.packages['node_modules/@electric-sql/pglite']!.version);
  });

  test('steps 3–7 with only a .env file: introspect, generate, migrate, sync, status, query', async () => {
    writeFileSync(join(project, '.env'), `# .env\nBUBBLE_APP_URL=${fake.url}\nBUBBLE_API_TOKEN=${fake.token}\n`);
    await ok('npx', ['bubble-runtime', 'introspect', '--out', 'bubble/dictionary.json']);
    expect(existsSync(join(project, 'bubble/dictionary.json'))).toBe(true);

    writeFileSync(join(project, 'prisma.config.ts'), file('prisma.config.ts'));
    mkdirSync(join(project, 'prisma/schema'), { recursive: true });
    writeFileSync(join(project, 'prisma/schema/schema.prisma'), file('prisma/schema/schema.prisma'));
    await ok('npx', ['prisma', 'generate']);
    await ok('npx', ['prisma', 'generate']);
    expect(existsSync(join(project, 'prisma/schema/bubble.prisma'))).toBe(true);
    expect(await ok('npx', ['bubble-runtime', 'generate'])).toContain('up to date');

    expect(await ok('npx', ['bubble-runtime', 'migrate'])).toContain('Applied 1 migration');
    const synced = JSON.parse(await ok('npx', ['bubble-runtime', 'sync', '--json'])) as SyncResult;
    expect(synced.status).toBe('COMPLETED');
    expect(synced.tables.map((t) => t.records)).toEqual(synced.tables.map((t) => fake.count(t.type)));
    const status = JSON.parse(await ok('npx', ['bubble-runtime', 'status', '--json'])) as SyncResult;
    // One duration: what the run printed is what status reads from the database.
    expect([status.jobId, status.durationMs]).toEqual([synced.jobId, synced.durationMs]);

    const rows = JSON.parse(await ok('npx', ['bubble-runtime', 'query', '--json', 'SELECT count(*)::int AS n FROM "invoice"'])) as Array<{
      n: number;
    }>;
    expect(rows).toEqual([{ n: fake.count('invoice') }]);
    expect(existsSync(join(project, '.bubble/pglite'))).toBe(true);
  }, 300_000);

  test("the user's Prisma Client opens the tool's embedded database through pglite-prisma-adapter", async () => {
    const from = blocks('**From code**', '## Reference');
    for (const line of from
      .find((b) => b.lang === 'sh')!
      .text.split(/\n|&&/)
      .map((l) => l.trim())
      .filter(Boolean)) {
      if (line.startsWith('npm install ')) await npm(pinned(line, tarball));
      else await ok('npm', line.split(/\s+/).slice(1));
    }
    writeFileSync(join(project, 'tsconfig.json'), from.find((b) => b.lang === 'json')!.text);
    writeFileSync(
      join(project, 'read.ts'),
      [
        "import { PGlite } from '@electric-sql/pglite';",
        "import { PrismaPGlite } from 'pglite-prisma-adapter';",
        "import { PrismaClient } from './generated/client/client.js';",
        '',
        from.find((b) => b.lang === 'ts' && b.text.includes('new PGlite'))!.text.replace(/^\/\/ ….*$/m, ''),
        'console.log(await prisma.invoice.count());',
        'await prisma.$disconnect();',
        'await pglite.close();',
      ].join('\n'),
    );
    await ok('npx', ['tsc']);
    expect((await ok('node', ['dist/read.js'])).trim()).toBe(String(fake.count('invoice')));
  }, 300_000);

  test('"From code" compiles and runs against PostgreSQL, and exits by itself; prisma.config.ts gives prisma migrate the URL', async () => {
    const database = await createTestDatabase('newcomer');
    try {
      appendFileSync(join(project, '.env'), `DATABASE_URL=${database.url}\n`);
      const config = await ok('node', [
        '--input-type=module',
        '-e',
        "const { loadConfigFromFile } = await import('@prisma/config'); const r = await loadConfigFromFile({ configRoot: process.cwd() }); console.log(JSON.stringify(r.config.datasource));",
      ]);
      expect(JSON.parse(config)).toEqual({ url: database.url });
      expect(await ok('npx', ['bubble-runtime', 'migrate', '--json'])).toContain('"database":"postgres"');

      const from = blocks('**From code**', '## Reference');
      writeFileSync(join(project, 'mirror.ts'), file('mirror.ts'));
      const [compile, start] = from
        .filter((b) => b.lang === 'sh')
        .at(-1)!
        .text.trim()
        .split(' && ');
      await ok('npx', compile!.split(/\s+/).slice(1));
      // A process that kept connections open would never exit: the timeout turns that into a failure.
      const run = await sh(start!.split(/\s+/)[0]!, start!.split(/\s+/).slice(1), 120_000);
      expect([run.code, run.stderr]).toEqual([0, expect.any(String)]);
      expect(run.stdout).toMatch(/^COMPLETED /);
    } finally {
      await database.drop();
    }
  }, 300_000);
});
