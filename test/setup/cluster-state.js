import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { stopCluster } from '../../dist/test/support/postgres-cluster.js';

/** Stops the run's cluster if a test started one, and removes the state folder. Synchronous (runs from `exit`). */
export function stopStartedCluster(state) {
  const dataDir = join(state, 'data-dir');
  if (existsSync(dataDir)) stopCluster(readFileSync(dataDir, 'utf8'));
  rmSync(state, { recursive: true, force: true });
}
