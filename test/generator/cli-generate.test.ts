/**
 * `bubble-runtime generate`: the generator block run without the Prisma CLI (for machines where the
 * CLI cannot fetch its engine, and as a CI schema check). Must write exactly what `prisma generate`
 * writes, and fail on a stale models file under --check.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE_DICTIONARY } from './fixture.js';
import { bubbleProject, prisma, readTree } from './support.js';
import { repoRoot, type CliResult } from '../support/prisma-cli.js';

const bin = join(repoRoot, 'dist', 'runtime', 'cli', 'bin.js');

function cli(args: string[], cwd: string): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd, env: { ...process.env, BUBBLE_SCHEMA_CHECK: '', NO_COLOR: '1' } },
      (err, stdout, stderr) => {
        done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

test('writes the same models, manifest and adapters as prisma generate; --check fails on a stale models file', async () => {
  const dictionary = readFileSync(FIXTURE_DICTIONARY, 'utf8');
  const viaCli = bubbleProject({ dictionary });
  const viaPrisma = bubbleProject({ dictionary });
  try {
    const first = await cli(['generate'], viaCli.dir);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/wrote prisma\/schema\/bubble\.prisma \(7 models\)/);
    // Without the Prisma CLI there is no Prisma Client to regenerate: the next step is migrate.
    expect(first.stdout).toContain('Next: `npx bubble-runtime migrate`.');
    expect(first.stdout).not.toContain('prisma generate');
    const again = await cli(['generate'], viaCli.dir);
    expect(again.stdout).toMatch(/up to date with the data dictionary \(7 models\)/);

    expect((await prisma(['generate'], viaPrisma.dir)).code).toBe(0);
    const ours = readTree(join(viaCli.dir, 'prisma', 'schema'));
    const theirs = readTree(join(viaPrisma.dir, 'prisma', 'schema'));
    expect(ours.get('bubble.prisma')).toBe(theirs.get('bubble.prisma'));
    const oursOut = readTree(join(viaCli.dir, 'generated', 'bubble'));
    const theirsOut = readTree(join(viaPrisma.dir, 'generated', 'bubble'));
    expect([...oursOut.keys()]).toEqual([...theirsOut.keys()]);
    for (const [file, text] of oursOut) expect(text).toBe(theirsOut.get(file));

    const models = join(viaCli.dir, 'prisma', 'schema', 'bubble.prisma');
    const tampered = readFileSync(models, 'utf8').replace(/^ {2}commissionPaid .*\n/m, '');
    writeFileSync(models, tampered);
    const stale = await cli(['generate', '--check'], viaCli.dir);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/is not what the data dictionary renders/);
    expect(stale.stderr).toContain('npx bubble-runtime generate');
    expect(readFileSync(models, 'utf8')).toBe(tampered);
    // Without --check the stale file is rewritten and the run says so.
    const rewritten = await cli(['generate'], viaCli.dir);
    expect(rewritten.code).toBe(0);
    expect(rewritten.stdout).toMatch(/was stale and has been rewritten/);
    expect(readFileSync(models, 'utf8')).toBe(theirs.get('bubble.prisma'));
  } finally {
    viaCli.cleanup();
    viaPrisma.cleanup();
  }
});
