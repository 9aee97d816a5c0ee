import { packageVersion } from '../runtime/version.js';

const HELP = `prisma-generator-bubble ${packageVersion()}

A Prisma generator: Prisma runs it during \`prisma generate\` for a block like

  generator bubble {
    provider   = "prisma-generator-bubble"
    dictionary = "../bubble/dictionary.json"
    output     = "../generated/bubble"
  }

It is not meant to be run by hand. Options: see the README.
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
  process.stderr.write('prisma-generator-bubble: the generator protocol arrives with the generator issue\n');
  process.exitCode = 1;
}
