#!/usr/bin/env node
import { main } from './main.js';

main(process.argv).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bubble-runtime: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
