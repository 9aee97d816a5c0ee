/**
 * Keeping secrets out of output: the API token (and any other secret string) out of messages, logs
 * and reports, and passwords out of database URLs.
 */

/**
 * Replaces every occurrence of each secret, and of its URL-encoded and JSON-escaped forms, with
 * `[redacted]`. Empty secrets are ignored; encoded forms shorter than 4 characters are left alone.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret === '') continue;
    out = out.split(secret).join('[redacted]');
    for (const form of new Set([encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])) {
      if (form !== secret && form.length >= 4) out = out.split(form).join('[redacted]');
    }
  }
  return out;
}

/** Replaces any password in a URL (or URL-looking text) with `***`. */
export function redactUrl(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)([^@\s]*)@/gi, '$1***@').replace(/([?&]password=)[^&\s]*/gi, '$1***');
}
