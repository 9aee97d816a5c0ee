// Plain JS: jest loads global setup outside its module mapper, so this uses the compiled helper
// (`npm test` builds first).
import { startCluster, stopCluster } from '../../dist/test/support/postgres-cluster.js';

/** Starts a throwaway PostgreSQL unless TEST_DATABASE_URL names one; always stops it again. */
export default async function globalSetup() {
  if (process.env.TEST_DATABASE_URL) return;
  const cluster = await startCluster();
  process.env.TEST_DATABASE_URL = cluster.url;
  process.env.PGB_TEST_CLUSTER_DIR = cluster.dataDir;
  const stop = () => stopCluster(cluster.dataDir);
  process.once('exit', stop);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      stop();
      process.exit(130);
    });
  }
}
