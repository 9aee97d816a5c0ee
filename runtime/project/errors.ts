/** Errors of project discovery: each says what to do next. */
import { BubbleError } from '../errors.js';

export class ProjectError extends BubbleError {
  constructor(code: string, message: string, hint: string, cause?: unknown) {
    super(code, message, { hint, cause });
  }
}

export const SINGLE_FILE_HINT =
  "Move the file into a folder (e.g. prisma/schema/schema.prisma) and point prisma.config.ts at the folder: defineConfig({ schema: 'prisma/schema' }), or pass --schema <folder>.";

/** How to run the generator, with or without the Prisma CLI (for hints). */
export const GENERATE = '`npx prisma generate` (or `npx bubble-runtime generate`)';
