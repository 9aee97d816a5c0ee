import { NamingError, docComment, prismaString, sqlIdent, tsString } from '../../generator/naming/index.js';
import { parseModels } from './dmmf.js';

const NASTY = [
  'plain',
  'a"b',
  'back\\slash',
  'trailing\\',
  'new\nline',
  'cr\rlf\r\n',
  'tab\there',
  'emoji 😀👩‍👩‍👧',
  'comment */ end /* start',
  '\u0000nul',
  '\u0001\u001f\u007f\u0085',
  'line\u2028sep\u2029',
  '"\\"\\\\',
  '中文字段',
  'x'.repeat(300),
  '',
];

describe('escaping', () => {
  test('prismaString: every nasty name round-trips byte-exact through Prisma’s parser (@map and @@map)', async () => {
    const fields = NASTY.map((s, i) => `  f${i} String @map(${prismaString(s)})`).join('\n');
    const models = await parseModels(`model A {\n  id String @id\n${fields}\n  @@map(${prismaString('table "x"\n\\ 😀')})\n}\n`);
    const model = models[0]!;
    expect(model.dbName).toBe('table "x"\n\\ 😀');
    expect(model.fields.slice(1).map((f) => f.dbName)).toEqual(NASTY);
  });

  test('prismaString writes short escapes and \\uXXXX, keeps other unicode raw', () => {
    expect(prismaString('a"b\\c\nd\te😀')).toBe('"a\\"b\\\\c\\nd\\te😀"');
    expect(prismaString('\u0000\u2028')).toBe('"\\u0000\\u2028"');
  });

  test('prismaString refuses a lone surrogate with a NamingError', () => {
    expect(() => prismaString('bad \ud800')).toThrow(NamingError);
  });

  test('docComment: JSON of the original, one line, no comment terminator', () => {
    const text = docComment('a\nb */ "c" \u2028');
    expect(text).not.toMatch(/[\n\r\u2028\u2029]/);
    expect(text).not.toContain('*/');
    expect(JSON.parse(text)).toBe('a\nb */ "c" \u2028');
  });

  test('docComment survives inside a /// comment of a parsed schema', async () => {
    const models = await parseModels(`model A {\n  id String @id\n  /// ${docComment('evil\nmodel B {')}\n  x String\n}\n`);
    expect(models.map((m) => m.name)).toEqual(['A']);
  });

  test('tsString evaluates back to the original', () => {
    for (const s of NASTY) {
      const literal = tsString(s);
      expect(new Function(`return ${literal};`)()).toBe(s);
      expect(literal).not.toMatch(/[\n\r\u2028\u2029]/);
    }
  });

  test('sqlIdent doubles quotes and rejects NUL and empty names', () => {
    expect(sqlIdent('Created Date')).toBe('"Created Date"');
    expect(sqlIdent('a"b')).toBe('"a""b"');
    expect(() => sqlIdent('a\u0000b')).toThrow(/NUL/);
    expect(() => sqlIdent('')).toThrow(NamingError);
  });
});
