/**
 * Typed errors that say what is wrong and what to do next. The CLI prints `message` (one line) and,
 * when present, `hint` on the next line, then exits with `exitCode`. Never put a token in either.
 */
export class BubbleError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(code: string, message: string, options: { hint?: string; cause?: unknown; exitCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** A project file or folder that cannot be used (schema folder, generator block, manifest); the hint says what to do. */
export class ProjectError extends BubbleError {
  constructor(code: string, message: string, hint: string, cause?: unknown) {
    super(code, message, { hint, cause });
  }
}

/** A bad flag or argument: exit code 2. */
export class UsageError extends BubbleError {
  constructor(message: string, hint?: string) {
    super('USAGE', message, { hint, exitCode: 2 });
  }
}

/** Formats any error for the terminal: one line, plus the hint if there is one. */
export function formatError(err: unknown): string {
  if (err instanceof BubbleError) return err.hint ? `${err.message}\n  → ${err.hint}` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
