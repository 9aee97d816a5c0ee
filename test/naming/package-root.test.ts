/**
 * The package root (`import … from 'prisma-generator-bubble'`, built `dist/generator/index.js`) exports
 * exactly the naming API that docs/naming.md shows in its import line: each name there works, and no
 * internal leaks out beside them.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The names of the `import { … } from 'prisma-generator-bubble'` block in docs/naming.md. */
function documentedNames(): string[] {
  const doc = readFileSync('docs/naming.md', 'utf8');
  const found = /import \{([^}]*)\} from 'prisma-generator-bubble';/.exec(doc);
  if (!found) throw new Error("docs/naming.md has no import from 'prisma-generator-bubble'");
  return found[1]!
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

/** `{name: typeof value}` of the package root, loaded by Node the way a user's program loads it. */
function packageRoot(): Promise<Record<string, string>> {
  const script =
    "const m = await import('prisma-generator-bubble'); console.log(JSON.stringify(Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v]))));";
  return new Promise((done, fail) =>
    execFile(process.execPath, ['--input-type=module', '-e', script], (err, stdout) =>
      err ? fail(err) : done(JSON.parse(stdout) as Record<string, string>),
    ),
  );
}

test("the package root exports exactly the naming API docs/naming.md imports from 'prisma-generator-bubble'", async () => {
  const exported = await packageRoot();
  const documented = documentedNames();
  expect(Object.keys(exported).sort()).toEqual([...documented].sort());
  for (const name of documented) expect(['function', 'object']).toContain(exported[name]);
});
