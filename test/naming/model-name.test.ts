import {
  GENERATED_MODEL_NAMES,
  ModelNameRegistry,
  NamingError,
  isReservedModelName,
  modelDelegateName,
  toSafeModelName,
} from '../../generator/naming/index.js';

describe('model names', () => {
  test.each([
    ['rental unit', 'RentalUnit'],
    ['Rental Unit', 'RentalUnit'],
    ['RENTAL UNIT', 'RentalUnit'],
    ['user', 'User'],
    ['Payment (V2)', 'PaymentV2'],
    ['2024 report', 'M2024Report'],
    ['Ünïcödé type', 'UnicodeType'],
    ['all', 'AllModel'],
    ['Prisma', 'PrismaModel'],
    ['prisma client', 'PrismaClientModel'],
    ['string', 'StringModel'],
    ['date time', 'DateTimeModel'],
    ['AND', 'And'],
    ['sync job', 'SyncJobModel'],
    ['sync cursor status', 'SyncCursorStatusModel'],
  ])('%j → %s', (display, expected) => {
    expect(toSafeModelName(display)).toBe(expected);
  });

  test('empty display name falls back to Model_ + hash', () => {
    expect(toSafeModelName('')).toMatch(/^Model_[0-9a-z]{8}$/);
  });

  test('modelPrefix is prepended; prefixed generated names are reserved, plain ones are free', () => {
    expect(toSafeModelName('rental unit', 'Bubble')).toBe('BubbleRentalUnit');
    expect(toSafeModelName('all', 'Bubble')).toBe('BubbleAllModel');
    expect(toSafeModelName('sync job', 'Bubble')).toBe('BubbleSyncJobModel');
    expect(toSafeModelName('string', 'Bubble')).toBe('BubbleString');
    expect(toSafeModelName('2024 report', 'Bubble')).toBe('Bubble2024Report');
    expect(isReservedModelName('BubbleSyncPage', 'Bubble')).toBe(true);
    expect(isReservedModelName('BubbleSyncEvent', 'Bubble')).toBe(true);
    for (const name of GENERATED_MODEL_NAMES) expect(isReservedModelName(name)).toBe(true);
    for (const name of ['AND', 'OR', 'NOT', 'Prisma', 'PrismaClient', 'All', 'Json']) expect(isReservedModelName(name)).toBe(true);
    expect(isReservedModelName('RentalUnit')).toBe(false);
  });

  test('an invalid prefix is a NamingError that says what to use', () => {
    expect(() => toSafeModelName('x', '1Bad')).toThrow(NamingError);
    expect(() => new ModelNameRegistry({ prefix: 'my-app' })).toThrow(/not a valid start of a Prisma model name/);
  });

  test('ModelNameRegistry keeps names unique case-insensitively, in order, and reports', () => {
    const registry = new ModelNameRegistry();
    expect(registry.sanitize('rentalunit', 'Rental Unit')).toBe('RentalUnit');
    expect(registry.sanitize('rental_unit', 'rental unit')).toBe('RentalUnit2');
    expect(registry.sanitize('rentalunit', 'Rental Unit')).toBe('RentalUnit');
    expect(registry.sanitize('Rentalunit')).toBe('Rentalunit3');
    expect(registry.nameOf('rental_unit')).toBe('RentalUnit2');
    expect(
      registry
        .report()
        .filter((e) => e.kind === 'collision')
        .map((e) => e.name),
    ).toEqual(['RentalUnit2', 'Rentalunit3']);
  });

  test('ModelNameRegistry reserves the generated sync-state names with the prefix', () => {
    const registry = new ModelNameRegistry({ prefix: 'B', reserved: ['Extra'] });
    expect(registry.sanitize('syncjob', 'Sync Job')).toBe('BSyncJobModel');
    const plain = new ModelNameRegistry({ reserved: ['Invoice'] });
    expect(plain.sanitize('invoice')).toBe('Invoice2');
  });

  test('modelDelegateName lower-cases the first letter as Prisma Client does', () => {
    expect(modelDelegateName('RentalUnit')).toBe('rentalUnit');
    expect(modelDelegateName('M2024Report')).toBe('m2024Report');
  });
});
