/**
 * The progress display a command attaches to a sync's `onProgress`:
 * - `tty`: live per-table bars (cli-progress) redrawn in place;
 * - `plain`: log lines for CI and cron — table start/done, and a status line every `intervalMs`
 *   (also when nothing finishes, so a stalled run is visible in the log);
 * - `silent`: nothing (e.g. `--json` when stderr is not a terminal).
 */
import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../../api.js';
import { formatDuration, formatInt } from '../../report/format.js';
import { initialProgress, reduceProgress, runningTables, type RunProgress, type RunTally } from '../../report/progress-state.js';
import { COLOURS, NO_COLOURS, liveLine, plainLine, stamp, tableProgress, useColour, type Colours, type TableProgress } from './format.js';

export type ProgressMode = 'tty' | 'plain' | 'silent';

export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface ProgressDisplayOptions {
  mode: ProgressMode;
  stream: OutputStream;
  env?: NodeJS.ProcessEnv;
  /** Epoch ms; default Date.now. */
  clock?: () => number;
  /** Plain mode: a status line at least this often while a table runs (default 5,000 ms). */
  intervalMs?: number;
  /** Plain mode: also a status line every N pages (default 0 = only by time). */
  everyPages?: number;
  /** Plain mode: print on a timer too (default true; tests drive the clock instead). */
  timer?: boolean;
}

export interface ProgressDisplay {
  readonly mode: ProgressMode;
  readonly colours: Colours;
  onProgress(event: ProgressEvent): void;
  /** The run's retries, 429s and waits so far, as the display counted them (the report counts the same way). */
  tally(): RunTally;
  /** Ends live output (restores the terminal); safe to call twice. */
  stop(): void;
}

/**
 * Where progress goes. Without `--json`: stdout, live bars on a terminal, plain lines otherwise. With
 * `--json` stdout carries only the final document, so progress goes to stderr, and only when stderr is
 * a terminal (a redirected stderr would otherwise fill a log with lines nobody asked for).
 */
export function chooseProgress(json: boolean, stdout: OutputStream, stderr: OutputStream): { mode: ProgressMode; stream: OutputStream } {
  if (json) return stderr.isTTY ? { mode: 'tty', stream: stderr } : { mode: 'silent', stream: stderr };
  return stdout.isTTY ? { mode: 'tty', stream: stdout } : { mode: 'plain', stream: stdout };
}

export function createProgressDisplay(options: ProgressDisplayOptions): ProgressDisplay {
  const clock = options.clock ?? Date.now;
  const colours = useColour(options.mode === 'tty' && options.stream.isTTY === true, options.env) ? COLOURS : NO_COLOURS;
  // What is shown comes from the same fold of the events as the run report's figures (runtime/report/progress-state.ts).
  let state: RunProgress = initialProgress();
  let jobStart = clock();
  let lastLineAt = 0;
  let pagesSinceLine = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let multibar: cliProgress.MultiBar | null = null;
  const bars = new Map<string, cliProgress.SingleBar>();
  const intervalMs = options.intervalMs ?? 5000;
  const nameWidth = 16;
  // A pseudo-terminal may report 0 columns: then assume a common width rather than print nothing.
  const columns = (): number => {
    const reported = (options.stream as { columns?: number }).columns;
    return reported !== undefined && reported >= 40 ? reported : 80;
  };

  const write = (line: string): void => {
    if (options.mode === 'silent') return;
    if (multibar) multibar.log(`${line}\n`);
    else options.stream.write(`${line}\n`);
  };

  const shown = (type: string): TableProgress | null => {
    const t = state.tables.get(type);
    return t ? tableProgress(t) : null;
  };

  /** A status line per table still running (tables overlap: each shows its own retries and 429s). */
  const plainStatus = (): void => {
    const running = runningTables(state);
    if (running.length === 0) return;
    const now = clock();
    for (const t of running) write(plainLine(tableProgress(t), now - jobStart, now));
    lastLineAt = now;
    pagesSinceLine = 0;
  };

  const ensureMultibar = (): cliProgress.MultiBar => {
    if (!multibar) {
      multibar = new cliProgress.MultiBar(
        {
          stream: options.stream as NodeJS.WritableStream,
          format: (_opts: unknown, _params: unknown, payload: { p: TableProgress }) =>
            liveLine(payload.p, clock(), colours, columns(), nameWidth),
          hideCursor: true,
          gracefulExit: false,
          clearOnComplete: false,
          fps: 8,
          linewrap: false,
          forceRedraw: true,
        },
        cliProgress.Presets.shades_classic,
      );
    }
    return multibar;
  };

  const redraw = (type: string | null | undefined): void => {
    const bar = type ? bars.get(type) : undefined;
    const p = type ? shown(type) : null;
    if (!bar || !p) return;
    bar.setTotal(Math.max(1, p.done, p.total ?? 0));
    bar.update(p.done, { p });
  };

  const onProgress = (event: ProgressEvent): void => {
    const now = clock();
    state = reduceProgress(state, event, now);
    if (options.mode === 'silent') return;
    switch (event.kind) {
      case 'job-start':
        jobStart = now;
        lastLineAt = now;
        write(
          `${stamp(0)} ${event.resumed ? 'Resuming' : 'Starting'} ${event.mode} sync ${event.jobId}: ${formatInt(event.types.length)} table${event.types.length === 1 ? '' : 's'}`,
        );
        if (options.mode === 'plain' && options.timer !== false && !timer) {
          timer = setInterval(
            () => {
              if (clock() - lastLineAt >= intervalMs) plainStatus();
            },
            Math.max(250, Math.floor(intervalMs / 4)),
          );
          timer.unref();
        }
        break;
      case 'table-start': {
        if (options.mode === 'tty')
          bars.set(event.type, ensureMultibar().create(Math.max(1, event.total ?? 1), 0, { p: shown(event.type) }));
        else write(`${stamp(now - jobStart)} ${event.table}: started${event.total === null ? '' : ` (${formatInt(event.total)} records)`}`);
        lastLineAt = now;
        break;
      }
      case 'page-done': {
        if (options.mode === 'tty') redraw(event.type);
        else if (state.tables.get(event.type)?.status === 'IN_PROGRESS') {
          pagesSinceLine += 1;
          const byPages = options.everyPages !== undefined && options.everyPages > 0 && pagesSinceLine >= options.everyPages;
          if (byPages || now - lastLineAt >= intervalMs) plainStatus();
        }
        break;
      }
      case 'retry': {
        redraw(event.type);
        if (options.mode === 'plain') {
          // Say so when the wait is shorter than the app asked for (the client caps Retry-After).
          const asked =
            event.retryAfterMs !== undefined && event.retryAfterMs > event.waitMs
              ? `; the app asked for ${formatDuration(event.retryAfterMs)}`
              : '';
          write(
            `${stamp(now - jobStart)} ${shown(event.type)?.table ?? event.type}: retrying in ${formatDuration(event.waitMs)} (${event.reason}${asked})`,
          );
        }
        break;
      }
      case 'request-failed':
        redraw(event.type);
        break;
      case 'rate-wait':
        redraw(event.type ?? state.current);
        break;
      case 'table-done': {
        const p = shown(event.result.type);
        if (!p) break;
        if (options.mode === 'tty') redraw(p.type);
        else {
          const extra = [
            event.result.rawOnly > 0 ? `${formatInt(event.result.rawOnly)} raw-only` : '',
            event.result.rejected > 0 ? `${formatInt(event.result.rejected)} rejected` : '',
            event.result.softDeleted > 0 ? `${formatInt(event.result.softDeleted)} soft-deleted` : '',
          ]
            .filter(Boolean)
            .join(', ');
          write(
            `${stamp(now - jobStart)} ${p.table}: ${event.result.status === 'ERROR' ? 'stopped with an error' : 'done'}, ${formatInt(event.result.records)} record${event.result.records === 1 ? '' : 's'} in ${formatInt(event.result.pages)} page${event.result.pages === 1 ? '' : 's'}, ${formatDuration(event.result.durationMs)}${extra ? ` (${extra})` : ''}`,
          );
        }
        lastLineAt = now;
        break;
      }
      case 'job-done':
        stop();
        break;
    }
  };

  function stop(): void {
    if (timer) clearInterval(timer);
    timer = undefined;
    if (multibar) {
      for (const type of bars.keys()) redraw(type);
      multibar.stop();
      multibar = null;
    }
  }

  return { mode: options.mode, colours, onProgress, tally: () => ({ ...state.tally }), stop };
}
