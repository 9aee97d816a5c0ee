/**
 * Errors of the Data API client. Each says what went wrong and what to check; none ever carries the
 * token (messages are built from our own words, and anything echoed from a response is redacted).
 */
import { BubbleError } from '../../core/errors.js';

/** 401/403: the token was refused. Not retried. */
export class BubbleAuthError extends BubbleError {
  readonly status: number;
  constructor(status: number, appUrl: string) {
    super('BUBBLE_AUTH', `Bubble refused the API token (HTTP ${status}) at ${appUrl}.`, {
      hint:
        'Check BUBBLE_API_TOKEN: copy a token from the app editor, Settings → API → API Tokens, of this very app. ' +
        'Live and /version-test use the same tokens, so also check BUBBLE_APP_URL points at the right app.',
    });
    this.status = status;
  }
}

/** 404 on `/obj/<type>`: the type does not exist or is not exposed to the Data API. Not retried. */
export class BubbleTypeNotFoundError extends BubbleError {
  readonly type: string;
  constructor(type: string, appUrl: string) {
    super('BUBBLE_TYPE_NOT_FOUND', `Bubble type "${type}" was not found at ${appUrl}.`, {
      hint:
        `In the app editor, Settings → API: enable the Data API and tick "${type}". The name is the type's name ` +
        'lowercased without spaces. A type created only in development exists under /version-test, not live.',
    });
    this.type = type;
  }
}

/** 404 on `/meta`, or an answer that is not the Data API: wrong URL or Data API switched off. */
export class BubbleAppNotFoundError extends BubbleError {
  readonly status: number;
  constructor(status: number, appUrl: string, detail: string) {
    super('BUBBLE_APP_NOT_FOUND', `No Bubble Data API answered at ${appUrl} (${detail}).`, {
      hint:
        'Check BUBBLE_APP_URL (e.g. https://myapp.bubbleapps.io, or …/version-test for the development database) ' +
        'and that Settings → API → "Enable Data API" is on.',
    });
    this.status = status;
  }
}

/** A 400 that refuses an offset too deep for Bubble's search. The sync closes its keyset window here. */
export class BubbleOffsetRefusedError extends BubbleError {
  readonly type: string;
  readonly cursor: number;
  constructor(type: string, cursor: number, detail: string) {
    super('BUBBLE_OFFSET_REFUSED', `Bubble refused offset ${cursor} for "${type}": ${detail}`, {
      hint: 'Page with constraints on Created Date/Modified Date (keyset windows) and a smaller BUBBLE_MAX_OFFSET.',
    });
    this.type = type;
    this.cursor = cursor;
  }
}

/** Any other 400: Bubble rejected the request (a constraint on an unknown field, a bad value…). Not retried. */
export class BubbleBadRequestError extends BubbleError {
  readonly status: number;
  constructor(status: number, what: string, detail: string) {
    super('BUBBLE_BAD_REQUEST', `Bubble rejected ${what} (HTTP ${status}): ${detail}`, {
      hint: 'Check the constraint keys and sort field against the data dictionary (keys are display names when the app shows captions).',
    });
    this.status = status;
  }
}

/** Retries were exhausted on 429/5xx/timeouts/network errors/broken responses. */
export class BubbleUnavailableError extends BubbleError {
  readonly attempts: number;
  readonly lastReason: string;
  constructor(what: string, attempts: number, lastReason: string, appUrl: string) {
    super('BUBBLE_UNAVAILABLE', `Bubble did not answer ${what} after ${attempts} attempts (last: ${lastReason}).`, {
      hint:
        `Check that ${appUrl} is reachable and the app is not over its capacity; lower SYNC_RATE_LIMIT_RPM or ` +
        'SYNC_CONCURRENCY if it keeps answering 429. A resumed run continues where this one stopped.',
    });
    this.attempts = attempts;
    this.lastReason = lastReason;
  }
}
