import { stopCluster } from '../../dist/test/support/postgres-cluster.js';

export default async function globalTeardown() {
  const dataDir = process.env.PGB_TEST_CLUSTER_DIR;
  if (!dataDir) return;
  stopCluster(dataDir);
  delete process.env.PGB_TEST_CLUSTER_DIR;
}
