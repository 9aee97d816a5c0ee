import {
  MAX_NAME_LENGTH,
  NameSanitiser,
  PRISMA_IDENTIFIER,
  fallbackFieldName,
  isPrismaReservedWord,
  sanitiseFieldName,
  toSafePrismaFieldName,
  validateFieldName,
} from '../../generator/naming/index.js';

// Grouped by the step of docs/naming.md each case exercises.

describe('basic camelCase conversion', () => {
  test.each([
    ['Customer Name', 'customerName'],
    ['customer name', 'customerName'],
    ['customer-name', 'customerName'],
    ['customer_name', 'customerName'],
    ['CUSTOMER NAME', 'customerName'],
    ['customerName', 'customerName'],
    ['CustomerName', 'customerName'],
    ['  padded   name  ', 'paddedName'],
    ['a-b-c', 'aBC'],
    ['URL Path', 'urlPath'],
    ['URLPath', 'urlPath'],
    ['VAT Number', 'vatNumber'],
    ['iPhone Model', 'iPhoneModel'],
    ['name', 'name'],
  ])('%j → %s', (original, expected) => {
    expect(toSafePrismaFieldName(original)).toBe(expected);
  });
});

describe('edge cases from real Bubble data', () => {
  test.each([
    ['2nd Payment %', 'f2ndPaymentPercent'],
    ['1st Payment %', 'f1stPaymentPercent'],
    ['_id', 'idField'],
    ['select', 'selectField'],
    ['Commission Paid?', 'commissionPaid'],
    ['Amount Eligible for Comm', 'amountEligibleForComm'],
    ['Payment Method V2', 'paymentMethodV2'],
    ['Is Admin?', 'isAdmin'],
    ['# of units', 'numberOfUnits'],
    ['Unit #', 'unitNumber'],
    ['A&B', 'aAndB'],
    ['Terms & Conditions', 'termsAndConditions'],
    ['Price ($)', 'priceDollar'],
    ['$ Amount', 'dollarAmount'],
    ['Tax/VAT', 'taxVAT'],
    ['Sq. Ft.', 'sqFt'],
    ['Add-ons (+)', 'addOnsPlus'],
    ['Email @ work', 'emailAtWork'],
    ["Owner's Name", 'ownersName'],
    ['Created Date', 'createdDate'],
    ['Modified Date', 'modifiedDate'],
    ['Created By', 'createdBy'],
    ['Slug', 'slug'],
    ['3 bedrooms', 'f3Bedrooms'],
    ['2024', 'f2024'],
    ['Start date (UTC)', 'startDateUTC'],
    ['% complete', 'percentComplete'],
    ['Rent/month', 'rentMonth'],
    ['Total (incl. tax)', 'totalInclTax'],
    ['unitname_text', 'unitnameText'],
    ['photos_list_image', 'photosListImage'],
    ['Property Manager (user)', 'propertyManagerUser'],
    ['Notes\nline two', 'notesLineTwo'],
    ['Tab\tseparated', 'tabSeparated'],
    ['"Quoted" name', 'quotedName'],
    ['back\\slash', 'backSlash'],
    ['comment */ end', 'commentEnd'],
    ['__proto__', 'proto'],
    ['constructor', 'constructorField'],
    ['then', 'thenField'],
    ['toString', 'toStringField'],
    ['ID', 'idField'],
    ['createdAt', 'createdAtField'],
  ])('%j → %s', (original, expected) => {
    expect(toSafePrismaFieldName(original)).toBe(expected);
  });

  test('empty string falls back to field_ + hash of the original', () => {
    expect(toSafePrismaFieldName('')).toBe(fallbackFieldName(''));
    expect(toSafePrismaFieldName('')).toMatch(/^field_[0-9a-z]{8}$/);
  });

  test('whitespace-only and symbol-free punctuation fall back deterministically and differently', () => {
    const spaces = toSafePrismaFieldName('   ');
    const dots = toSafePrismaFieldName('...');
    expect(spaces).toMatch(/^field_[0-9a-z]{8}$/);
    expect(dots).toMatch(/^field_[0-9a-z]{8}$/);
    expect(spaces).not.toBe(dots);
    expect(toSafePrismaFieldName('   ')).toBe(spaces);
    expect(sanitiseFieldName('?!').adjustments).toEqual(['fallback']);
  });

  test('a 200-character name is truncated to 63 characters', () => {
    const long = 'Very long field name '.repeat(10);
    const name = toSafePrismaFieldName(long);
    expect(name).toHaveLength(MAX_NAME_LENGTH);
    expect(name.startsWith('veryLongFieldNameVeryLong')).toBe(true);
    expect(sanitiseFieldName(long).adjustments).toEqual(['truncated']);
  });

  test('truncation happens after the digit prefix, so the result still starts with a letter', () => {
    const name = toSafePrismaFieldName('1'.repeat(200));
    expect(name).toBe(`f${'1'.repeat(62)}`);
  });
});

describe('unicode and non-ASCII', () => {
  test.each([
    ['Ünïcödé', 'unicode'],
    ['Straße', 'strasse'],
    ['naïve café', 'naiveCafe'],
    ['Ærø', 'aero'],
    ['Москва', 'moskva'],
    ['客户名称', 'keHuMingCheng'],
    ['東京', 'dongJing'],
    ['😀', 'grinning'],
    ['Rating ⭐', 'ratingStar'],
    ['€ Price', 'eurPrice'],
    ['Ｆｕｌｌ　ｗｉｄｔｈ ％', 'fullWidthPercent'],
    ['Cafe\u0301 (decomposed)', 'cafeDecomposed'],
  ])('%j → %s', (original, expected) => {
    expect(toSafePrismaFieldName(original)).toBe(expected);
  });

  test('characters with no transliteration fall back to a hash name', () => {
    expect(toSafePrismaFieldName('\u200b\u200b')).toMatch(/^field_[0-9a-z]{8}$/);
  });
});

describe('reserved words', () => {
  test.each([
    ['select', 'selectField'],
    ['include', 'includeField'],
    ['where', 'whereField'],
    ['orderBy', 'orderByField'],
    ['data', 'dataField'],
    ['class', 'classField'],
    ['delete', 'deleteField'],
    ['new', 'newField'],
    ['default', 'defaultField'],
    ['prototype', 'prototypeField'],
    ['valueOf', 'valueOfField'],
    ['hasOwnProperty', 'hasOwnPropertyField'],
    ['Map', 'mapField'],
    ['bubble ID', 'bubbleID'],
    ['bubbleId', 'bubbleIdField'],
    ['raw', 'rawField'],
    ['Is Deleted', 'isDeletedField'],
    ['synced at', 'syncedAtField'],
  ])('%j → %s', (original, expected) => {
    expect(toSafePrismaFieldName(original)).toBe(expected);
  });

  test('isPrismaReservedWord knows each category', () => {
    for (const word of ['select', 'AND', 'class', 'constructor', 'then', 'String', 'id', 'syncJobId', 'deletedAt']) {
      expect(isPrismaReservedWord(word)).toBe(true);
    }
    for (const word of ['customerName', 'selectField', 'f2ndPaymentPercent']) {
      expect(isPrismaReservedWord(word)).toBe(false);
    }
  });

  test('validateFieldName explains each rejection', () => {
    expect(validateFieldName('customerName')).toEqual({ valid: true });
    expect(validateFieldName('')).toEqual({ valid: false, reason: 'the name is empty' });
    expect(validateFieldName('2nd')).toMatchObject({ valid: false, reason: expect.stringContaining('start with a letter') });
    expect(validateFieldName('a-b')).toMatchObject({ valid: false });
    expect(validateFieldName('_id')).toMatchObject({ valid: false });
    expect(validateFieldName('select')).toEqual({ valid: false, reason: '"select" is a reserved word' });
    expect(validateFieldName('a'.repeat(64))).toMatchObject({ valid: false, reason: expect.stringContaining('64 characters') });
  });
});

describe('performance (speed is measured by test/bench/naming.ts)', () => {
  test('100,000 names run through toSafePrismaFieldName and one NameSanitiser per 100 fields', () => {
    const words = ['Customer', 'Name', '2nd', 'Payment', '%', 'Ünïcödé', '客户', 'Paid?', '#', 'of', 'Units', '(V2)'];
    let valid = 0;
    let sanitiser = new NameSanitiser();
    for (let i = 0; i < 100_000; i += 1) {
      const original = `${words[i % words.length]} ${words[(i * 7) % words.length]} ${i % 13}`;
      if (i % 100 === 0) sanitiser = new NameSanitiser();
      const name = sanitiser.sanitize(original);
      if (PRISMA_IDENTIFIER.test(name) && name.length <= MAX_NAME_LENGTH && PRISMA_IDENTIFIER.test(toSafePrismaFieldName(original))) {
        valid += 1;
      }
    }
    expect(valid).toBe(100_000);
  });
});
