/**
 * The repo's own example project (prisma/schema: the bundled sample app) is this repo's schema check:
 * its committed models file must be exactly what the sample app's dictionary renders, and valid Prisma.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot, runPrisma, type CliResult } from '../support/prisma-cli.js';

function generateCheck(): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(repoRoot, 'dist', 'runtime', 'cli', 'bin.js'), 'generate', '--schema', 'prisma/schema', '--check'],
      { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' } },
      (err, stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

test('prisma/schema/bubble.prisma is what fixtures/sample-app/dictionary.json renders, and prisma validate accepts the folder', async () => {
  const check = await generateCheck();
  expect(check.stderr).toBe('');
  expect(check.stdout).toMatch(/up to date with the data dictionary \(7 models\)/);
  expect(check.code).toBe(0);
  const validate = await runPrisma(['validate', '--schema', 'prisma/schema'], repoRoot);
  expect(validate.stdout + validate.stderr).toMatch(/(is|are) valid/);
  expect(validate.code).toBe(0);
});
