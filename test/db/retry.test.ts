/**
 * withConnectionRetry on its own: what it retries (a lost or refused connection), what it does not
 * (anything else, a server that refuses us, a loss already given up on), the budget, and a stop.
 */
import { withConnectionRetry, connectionRetryBudgetMs } from '../../runtime/db/retry.js';
import { DatabaseConnectionLostError, DatabaseUnreachableError } from '../../runtime/db/errors.js';
import { SettingsError } from '../../core/settings/variables.js';

const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

/** Fails with `errors` in turn, then resolves to 'done'; counts its calls. */
function flaky(errors: Array<() => unknown>): { fn: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    fn: async () => {
      const next = errors[calls++];
      if (next) throw next();
      return 'done';
    },
    calls: () => calls,
  };
}

test('a lost connection is tried again until the operation succeeds; each failed attempt is reported', async () => {
  const op = flaky([refused, () => new DatabaseConnectionLostError('Connection terminated unexpectedly')]);
  const seen: unknown[] = [];
  expect(await withConnectionRetry(op.fn, { budgetMs: 10_000, onRetry: (err) => seen.push(err) })).toBe('done');
  expect(op.calls()).toBe(3);
  expect(seen).toHaveLength(2);
});

test('anything but a lost connection fails at once: a bad statement, a wrong password, a loss already given up on', async () => {
  const wrongPassword = () =>
    new DatabaseUnreachableError(
      'PostgreSQL refused user "x"',
      'Check the password.',
      Object.assign(new Error('password authentication failed'), { code: '28P01' }),
    );
  for (const make of [
    () => new Error('syntax error at or near "SELEC"'),
    wrongPassword,
    () => new DatabaseConnectionLostError('gone', undefined, true),
  ]) {
    const thrown = make();
    const op = flaky([() => thrown]);
    await expect(withConnectionRetry(op.fn, { budgetMs: 10_000 })).rejects.toBe(thrown);
    expect(op.calls()).toBe(1);
  }
});

test('when the budget is spent: one final DatabaseConnectionLostError saying how long it waited and why', async () => {
  const op = flaky(Array.from({ length: 100 }, () => refused));
  const err = (await withConnectionRetry(op.fn, { budgetMs: 300 }).catch((e: unknown) => e)) as DatabaseConnectionLostError;
  expect(err).toBeInstanceOf(DatabaseConnectionLostError);
  expect(err.final).toBe(true);
  expect(err.message).toBe(
    'Lost the connection to the database: it did not come back within 300 ms (connect ECONNREFUSED 127.0.0.1:5432).',
  );
  expect(op.calls()).toBe(2);
  // Given up on: an outer retry does not start over.
  const outer = flaky([() => err]);
  await expect(withConnectionRetry(outer.fn, { budgetMs: 10_000 })).rejects.toBe(err);
});

test('a stop ends the wait at once', async () => {
  const controller = new AbortController();
  const op = flaky(Array.from({ length: 100 }, () => refused));
  const err = await withConnectionRetry(op.fn, { budgetMs: 600_000, signal: controller.signal, onRetry: () => controller.abort() }).catch(
    (e: unknown) => e,
  );
  expect((err as Error).message).toMatch(/^Lost the connection to the database: the run was stopped while waiting for it/);
  expect(op.calls()).toBe(1);
});

test('SYNC_DB_RETRY_MS: default 60 s, 0 switches retrying off, anything else is a settings error (exit 2)', async () => {
  expect(connectionRetryBudgetMs({})).toBe(60_000);
  expect(connectionRetryBudgetMs({ SYNC_DB_RETRY_MS: '1500' })).toBe(1500);
  expect(() => connectionRetryBudgetMs({ SYNC_DB_RETRY_MS: '1.5s' })).toThrow(SettingsError);
  const op = flaky([refused]);
  await expect(withConnectionRetry(op.fn, { budgetMs: 0 })).rejects.toThrow(/reconnecting is switched off \(SYNC_DB_RETRY_MS=0\)/);
});
