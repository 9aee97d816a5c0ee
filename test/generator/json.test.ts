/**
 * Lossless JSON: numbers that do not survive a double keep their text (JsonNumber), everything else
 * parses and prints exactly as JSON.parse/JSON.stringify do, and nothing recurses: values nested
 * 10,000 deep parse, print, clone and measure without a stack overflow.
 */
import fc from 'fast-check';
import { cloneJson, deeperThan, JsonNumber, parseJson, roundTripsAsDouble, stringifyJson } from '../../runtime/convert/json.js';

const params = { seed: 20240611, numRuns: 300 };
const EXOTIC = ['1e400', '-1e400', '9007199254740993', '0.1000000000000000055511151231257827', '1e-400', '12345678901234567890', '2e-324'];

/** An array nested `depth` levels deep around `inner` (objects and arrays alternating). */
function nested(depth: number, inner: unknown): unknown {
  let v = inner;
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { [`k${i % 3}`]: v };
  return v;
}

describe('parseJson', () => {
  test('numbers that do not survive a double become JsonNumber with the exact text; the rest are numbers', () => {
    const body = `{"a":[${EXOTIC.join(',')}],"b":[0.30000000000000004,1e23,12.5,-0,5e-324,100000000000000000000000]}`;
    const v = parseJson(body) as { a: unknown[]; b: unknown[] };
    expect(v.a.map((x) => (x instanceof JsonNumber ? x.text : x))).toEqual(EXOTIC);
    expect(v.b).toEqual([0.30000000000000004, 1e23, 12.5, -0, 5e-324, 1e23]);
    expect(stringifyJson(v)).toBe(`{"a":[${EXOTIC.join(',')}],"b":[0.30000000000000004,1e+23,12.5,0,5e-324,1e+23]}`);
  });

  test('digits inside strings stay strings (Bubble ids have 18 digits after the x), keys included', () => {
    const body =
      '{"_id":"1672531200000x123456789012345678","Note":"ratio: 12345678901234567890","12345678901234567890":1,"__proto__":[1e400]}';
    const v = parseJson(body) as Record<string, unknown>;
    expect(v._id).toBe('1672531200000x123456789012345678');
    expect(v.Note).toBe('ratio: 12345678901234567890');
    expect(v['12345678901234567890']).toBe(1);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(v, '__proto__')).toBe(true);
    expect(stringifyJson(v)).toBe(body);
  });

  test("a string that looks like the parser's own marker is still a string", () => {
    const body = '{"a":"\\u0000x:1","b":1e400,"c":"\\u0000"}';
    const v = parseJson(body) as Record<string, unknown>;
    expect(v.a).toBe('\u0000x:1');
    expect(v.c).toBe('\u0000');
    expect(v.b).toEqual(new JsonNumber('1e400'));
  });

  test('invalid or cut-off JSON still throws SyntaxError, on both paths', () => {
    expect(() => parseJson('{"a":1')).toThrow(SyntaxError);
    expect(() => parseJson('{"a":[1e400,')).toThrow(SyntaxError);
    expect(() => parseJson('{"a":"unterminated 1e400')).toThrow(SyntaxError);
  });

  test('property: any JSON text without exotic numbers parses exactly as JSON.parse', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect(parseJson(text)).toEqual(JSON.parse(text));
      }),
      params,
    );
  });

  test('property: exotic numbers anywhere survive a parse → print round trip as text', () => {
    const exotic = fc.constantFrom(...EXOTIC).map((t) => new JsonNumber(t));
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        exotic,
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie('v'), { maxKeys: 4 }),
      ),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        const text = stringifyJson(v)!;
        expect(stringifyJson(parseJson(text))).toBe(text);
      }),
      params,
    );
  });

  test('10,000 levels deep, with an exotic number at the bottom: parsed, printed and cloned without recursion', () => {
    const text = stringifyJson(nested(10_000, new JsonNumber('9007199254740993')))!;
    expect(() => JSON.stringify(JSON.parse(text))).toThrow(RangeError);
    const v = parseJson(text);
    expect(stringifyJson(v)).toBe(text);
    expect(stringifyJson(cloneJson(v))).toBe(text);
    expect(deeperThan(v, 10_000)).toBe(false);
    expect(deeperThan(v, 9_999)).toBe(true);
  });
});

describe('stringifyJson', () => {
  test('property: writes exactly what JSON.stringify writes for ordinary values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, wrap) => {
        const v = wrap ? { value, date: new Date(0), gone: undefined, fn: () => 1, list: [undefined, NaN, Infinity] } : value;
        expect(stringifyJson(v)).toBe(JSON.stringify(v));
      }),
      params,
    );
    expect(stringifyJson(undefined)).toBeUndefined();
  });

  test('sortKeys orders object keys; maxDepth keeps deeper containers as their JSON text', () => {
    expect(stringifyJson({ b: 1, a: { d: 2, c: 3 } }, { sortKeys: true })).toBe('{"a":{"c":3,"d":2},"b":1}');
    const cut = stringifyJson({ a: [[1, { b: [2] }]] }, { maxDepth: 2 })!;
    expect(cut).toBe('{"a":["[1,{\\"b\\":[2]}]"]}');
    expect(JSON.parse((JSON.parse(cut) as { a: string[] }).a[0]!)).toEqual([1, { b: [2] }]);
  });

  test('mapString sees every string, keys included', () => {
    expect(stringifyJson({ a: ['b', { c: 'd' }] }, { mapString: (s) => s.toUpperCase() })).toBe('{"A":["B",{"C":"D"}]}');
  });

  test('JSON.stringify shows a JsonNumber as a string starting with U+0000 (the database encoder looks for it)', () => {
    expect(JSON.stringify([new JsonNumber('1e400')])).toBe('["\\u00001e400"]');
  });
});

describe('roundTripsAsDouble', () => {
  test('property: whatever JavaScript prints for a double survives', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => expect(roundTripsAsDouble(String(d))).toBe(true)),
      params,
    );
  });

  test('more digits than a double keeps, or a range beyond it, does not', () => {
    for (const t of EXOTIC) expect(roundTripsAsDouble(t)).toBe(false);
    for (const t of ['0', '-0', '1.50', '1E2', '0.1', '123456789012345', '1e308', '100000000000000000000000'])
      expect(roundTripsAsDouble(t)).toBe(true);
  });
});
