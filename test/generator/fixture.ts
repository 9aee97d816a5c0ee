/** The dictionary the main generator tests run on. */
import { join } from 'node:path';
import { repoRoot } from '../support/prisma-cli.js';

export const FIXTURE_DICTIONARY = join(repoRoot, 'fixtures', 'sample-app', 'dictionary.json');
