import { BubbleError } from '../../core/errors.js';

/** A name that cannot be made safe (e.g. a NUL byte in an SQL identifier, a bad prefix). */
export class NamingError extends BubbleError {
  constructor(message: string, hint?: string) {
    super('NAMING', message, hint === undefined ? {} : { hint });
  }
}
