import { describe, expect, it } from 'vitest';
import { jsonSyntaxError } from './json-syntax.js';

describe('jsonSyntaxError', () => {
  it.each([
    ['{clips:', 1, 2, "a property name in double quotes or '}'"],
    [
      '{\n  "clips": [\n    {"source": "a.mp4",}\n  ]\n}',
      3,
      24,
      'a property name in double quotes (no comma before })',
    ],
    ['', 1, 1, 'more: the text ends early'],
    ['{"a":1', 1, 7, "'}': the text ends early"],
    ['[1,]', 1, 4, 'a value (no comma before ])'],
    ['[1 2]', 1, 4, "',' or ']'"],
    ['{"a" 1}', 1, 6, "':' after the property name"],
    ["{'a': 1}", 1, 2, "a property name in double quotes or '}'"],
    ['{"a": .5}', 1, 7, 'a value (an object, a list, a string in double quotes, a number, true, false or null)'],
    ['{"a": 1} x', 1, 10, 'nothing after the end of the JSON value'],
    ['"\\x"', 1, 2, 'a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX)'],
    ['{"a":"b\nc"}', 1, 8, 'no raw control character in a string (write \\n, \\t…)'],
    ['"abc', 1, 5, 'a closing double quote'],
  ])('%j: line %i, column %i, expected %s', (text, line, column, expected) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(jsonSyntaxError(text)).toEqual({ line, column, expected });
  });

  it.each(['{"a":[1,{"b":null}],"c":-0.5e3,"d":"\\u00e9\\n"}', '  [ ]  ', '[[[[[]]]]]', 'true', '"x"'])(
    'finds nothing wrong in %j, as JSON.parse does',
    (text) => {
      expect(() => JSON.parse(text)).not.toThrow();
      expect(jsonSyntaxError(text)).toBeUndefined();
    },
  );

  it('scans a deep nesting without recursion', () => {
    expect(jsonSyntaxError('['.repeat(100_000) + ']'.repeat(99_999))).toMatchObject({
      expected: "']': the text ends early",
    });
  });
});
