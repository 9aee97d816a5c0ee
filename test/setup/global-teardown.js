import { stopStartedCluster } from './cluster-state.js';

export default async function globalTeardown() {
  const state = process.env.PGB_TEST_STATE_DIR;
  if (!state) return;
  stopStartedCluster(state);
  delete process.env.PGB_TEST_STATE_DIR;
}
