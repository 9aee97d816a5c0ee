// Plain JS: jest loads global setup outside its module mapper, so this uses the compiled helper
// (`npm test` builds first).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopStartedCluster } from './cluster-state.js';

/**
 * Prepares a state folder for the run's one throwaway PostgreSQL, which the first test that needs it
 * starts (test/support/database.ts): suites that need no database never wait for a server.
 * TEST_DATABASE_URL set: that server is used instead, and nothing is started.
 */
export default async function globalSetup() {
  if (process.env.TEST_DATABASE_URL) return;
  const state = mkdtempSync(join(tmpdir(), 'pgb-test-'));
  process.env.PGB_TEST_STATE_DIR = state;
  const stop = () => stopStartedCluster(state);
  process.once('exit', stop);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      stop();
      process.exit(130);
    });
  }
}
