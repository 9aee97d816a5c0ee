import {
  CollisionTracker,
  MAX_NAME_LENGTH,
  NameSanitiser,
  STANDARD_FIELD_NAMES,
  detectCollision,
  generateUniqueFieldName,
  withNumericSuffix,
} from '../../generator/naming/index.js';

describe('collision resolution', () => {
  test('Customer Name then customer-name → customerName, customerName2', () => {
    const sanitiser = new NameSanitiser();
    expect(sanitiser.sanitize('Customer Name')).toBe('customerName');
    expect(sanitiser.sanitize('customer-name')).toBe('customerName2');
  });

  test('third and fourth variants count on in input order', () => {
    const sanitiser = new NameSanitiser();
    const names = ['Customer Name', 'customer_name', 'CUSTOMER NAME', 'customer.name'].map((o) => sanitiser.sanitize(o));
    expect(names).toEqual(['customerName', 'customerName2', 'customerName3', 'customerName4']);
  });

  test('the same dictionary order always gives the same names; another order gives other names', () => {
    const run = (originals: string[]) => {
      const s = new NameSanitiser();
      return originals.map((o) => s.sanitize(o));
    };
    expect(run(['Paid?', 'Paid', 'paid!'])).toEqual(run(['Paid?', 'Paid', 'paid!']));
    expect(run(['Paid', 'Paid?'])).toEqual(['paid', 'paid2']);
    expect(run(['Paid?', 'Paid'])).toEqual(['paid', 'paid2']);
  });

  test('asking again for the same original returns its name, not a new one', () => {
    const sanitiser = new NameSanitiser();
    expect(sanitiser.sanitize('Name')).toBe('name');
    expect(sanitiser.sanitize('Name')).toBe('name');
    expect(sanitiser.nameOf('Name')).toBe('name');
    expect(sanitiser.nameOf('Other')).toBeUndefined();
    expect(sanitiser.report()).toEqual([]);
  });

  test('a suffixed name that an original later produces itself moves on', () => {
    const sanitiser = new NameSanitiser();
    expect(sanitiser.sanitize('Amount')).toBe('amount');
    expect(sanitiser.sanitize('amount?')).toBe('amount2');
    expect(sanitiser.sanitize('Amount 2')).toBe('amount22');
  });

  test('extra reserved names (constructor option and reserve()) are never handed out', () => {
    const sanitiser = new NameSanitiser({ reserved: ['owner'] });
    sanitiser.reserve('tenant');
    expect(sanitiser.sanitize('Owner')).toBe('owner2');
    expect(sanitiser.sanitize('Tenant')).toBe('tenant2');
  });

  test('standard field names are reserved in every NameSanitiser', () => {
    const sanitiser = new NameSanitiser();
    const names = STANDARD_FIELD_NAMES.map((n) => sanitiser.sanitize(n));
    for (const name of names) expect(STANDARD_FIELD_NAMES).not.toContain(name);
    expect(names[0]).toBe('idField');
    expect(sanitiser.sanitize('_id')).toBe('idField2');
  });

  test('collision suffixes fit in 63 characters', () => {
    const sanitiser = new NameSanitiser();
    const long = 'x'.repeat(100);
    const names = Array.from({ length: 12 }, (_, i) => sanitiser.sanitize(`${long}${'?'.repeat(i)}`));
    expect(new Set(names).size).toBe(12);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
    expect(names[1]).toBe(`${'x'.repeat(62)}2`);
    expect(names[11]).toBe(`${'x'.repeat(61)}12`);
  });

  test('report() records every collision, fallback, reserved suffix, digit prefix and truncation', () => {
    const sanitiser = new NameSanitiser();
    for (const o of ['Customer Name', 'customer-name', '', 'select', '2nd', 'y'.repeat(70)]) sanitiser.sanitize(o);
    expect(sanitiser.report().map((e) => [e.kind, e.original, e.name])).toEqual([
      ['collision', 'customer-name', 'customerName2'],
      ['fallback', '', expect.stringMatching(/^field_/)],
      ['reserved', 'select', 'selectField'],
      ['numericStart', '2nd', 'f2nd'],
      ['truncated', 'y'.repeat(70), 'y'.repeat(63)],
    ]);
    expect(sanitiser.formatReport().split('\n')[0]).toBe(
      'field "customer-name" → customerName2 (collided with an earlier name: customerName)',
    );
  });

  test('a thousand originals with one base number on in order, none skipped', () => {
    const sanitiser = new NameSanitiser();
    const names = Array.from({ length: 1000 }, (_, i) => sanitiser.sanitize(`Paid${'?'.repeat(i)}`));
    expect(names.slice(0, 3)).toEqual(['paid', 'paid2', 'paid3']);
    expect(names[999]).toBe('paid1000');
    expect(sanitiser.report()).toHaveLength(999);
  });

  test('detectCollision lists duplicated names with their positions', () => {
    expect(detectCollision(['a', 'b', 'a', 'c', 'b', 'a'])).toEqual([
      { name: 'a', indexes: [0, 2, 5] },
      { name: 'b', indexes: [1, 4] },
    ]);
    expect(detectCollision(['a', 'b'])).toEqual([]);
  });

  test('generateUniqueFieldName returns the base when free, else the first free numbered variant', () => {
    expect(generateUniqueFieldName('name', new Set(['other']))).toBe('name');
    expect(generateUniqueFieldName('name', ['name', 'name2'])).toBe('name3');
    expect(withNumericSuffix('abc', 7, 3)).toBe('ab7');
  });

  test('CollisionTracker: addName, resolveCollision, case-insensitive mode', () => {
    const tracker = new CollisionTracker();
    expect(tracker.addName('Foo', 'foo')).toBe('foo');
    expect(tracker.resolveCollision('foo')).toBe('foo2');
    expect(tracker.addName('FOO', 'foo')).toBe('foo2');
    expect(tracker.addName('Foo!', 'Foo')).toBe('Foo');
    expect(tracker.collisions).toEqual([{ original: 'FOO', base: 'foo', name: 'foo2' }]);
    const models = new CollisionTracker({ caseInsensitive: true });
    models.addName('a', 'RentalUnit');
    expect(models.addName('b', 'Rentalunit')).toBe('Rentalunit2');
  });
});
