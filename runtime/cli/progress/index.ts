/** Terminal output for sync-running commands: live progress, plain log lines, the final summary. */
export {
  chooseProgress,
  createProgressDisplay,
  type OutputStream,
  type ProgressDisplay,
  type ProgressDisplayOptions,
  type ProgressMode,
} from './display.js';
export { createRunOutput, type RunOutput, type RunOutputOptions } from './run-output.js';
export * from './format.js';
