import { packageVersion } from '../core/version.js';

const HELP = `prisma-generator-bubble ${packageVersion()}

A Prisma generator: Prisma runs it during \`prisma generate\` for a block like

  generator bubble {
    provider   = "prisma-generator-bubble"
    dictionary = "../../bubble/dictionary.json"
    output     = "../../generated/bubble"
  }

It is not meant to be run by hand. Options (dictionary, output, modelsFile, modelPrefix,
tablePrefix, check): see docs/generator.md.
`;

/** Entry of the generator bin: help/version by hand, the generator protocol when Prisma calls it. */
export function runGeneratorBin(args: string[]): void {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  if (args.includes('--version') || args.includes('-v')) {
    process.stdout.write(`${packageVersion()}\n`);
    return;
  }
  // Loaded lazily: the handler pulls in Prisma's formatter (WASM), which --help does not need.
  // stdin is buffered until the handler starts reading it.
  import('./handler.js')
    .then((handler) => handler.serveGenerator())
    .catch((err: unknown) => {
      process.stderr.write(`prisma-generator-bubble: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    });
}
