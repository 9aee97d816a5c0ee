// Run under `flock <state>/lock` by test/support/database.ts: the first test that needs PostgreSQL
// starts the run's one cluster; every later caller (any worker) finds its URL in the state folder.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster } from '../../dist/test/support/postgres-cluster.js';

const state = process.argv[2];
if (!existsSync(join(state, 'url'))) {
  const cluster = await startCluster();
  writeFileSync(join(state, 'data-dir'), cluster.dataDir);
  writeFileSync(join(state, 'url'), cluster.url);
}
