/** Run reports: the metrics collector, the report.json/.md/.svg renderers and the writer. */
export { SyncMetricsCollector, assignLanes, type ClientMetricsSnapshot, type CollectorOptions } from './metrics.js';
export { renderReportMarkdown } from './markdown.js';
export { renderReportSvg, xmlEscape } from './svg.js';
export {
  createRunReporter,
  writeRunReport,
  readRunReport,
  reportSecrets,
  reportFolderName,
  DEFAULT_REPORT_DIR,
  type RunReporter,
  type RunReporterOptions,
  type WrittenReport,
} from './writer.js';
export type * from './types.js';
export * from './format.js';
