/** Sampling reads numbers kept as text (JsonNumber) as numbers, and infers nested lists at any depth. */
import { JsonNumber } from '../../runtime/convert/json.js';
import { inferType, jsonKind, matchesType } from '../../runtime/introspect/observe.js';

test('a JsonNumber is a number: as a kind, and for a number field when a double can hold it', () => {
  expect(jsonKind(new JsonNumber('9007199254740993'))).toBe('number');
  expect(matchesType('number', new JsonNumber('9007199254740993'))).toBe(true);
  expect(matchesType('number', new JsonNumber('1e400'))).toBe(false);
  expect(inferType([new JsonNumber('1e400'), 2])).toBe('number');
});

test('nested lists are inferred level by level, 10,000 levels without recursion', () => {
  expect(inferType([[1, 2], [3]])).toBe('list.number');
  expect(inferType([[[1]], [[2]]])).toBe('list.list.number');
  expect(inferType([['a'], [{ x: 1 }]])).toBe('list.object');
  expect(inferType([[]])).toBe('list.text');
  let deep: unknown = 'bottom';
  for (let i = 0; i < 10_000; i++) deep = [deep];
  expect(inferType([deep])).toBe(`${'list.'.repeat(10_000)}text`);
});
