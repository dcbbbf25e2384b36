/**
 * Where a text stops being JSON (RFC 8259), for an error a person can act on: "invalid JSON at line 3, column 12:
 * expected a property name in double quotes". `JSON.parse` says where only in some of its messages, and in words
 * that differ by engine; this scanner finds the first offending character itself. Only called on a text that
 * `JSON.parse` refused, so its speed does not matter; it is iterative over the text, with no recursion to overflow.
 */
export interface JsonSyntaxError {
  /** 1-based, counting `\n`-separated lines. */
  line: number;
  /** 1-based, in characters (code units) from the start of the line. */
  column: number;
  /** What was expected there. */
  expected: string;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;
// A string's body: unescaped characters other than control characters, and valid escapes.
// eslint-disable-next-line no-control-regex -- control characters are what a JSON string may not hold raw
const STRING_PART = /(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*/y;

/** The first syntax error of `text`, or undefined when it is JSON. */
export function jsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let at = 0;
  const fail = (expected: string): JsonSyntaxError => {
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    return { line, column: at - (before.lastIndexOf('\n') + 1) + 1, expected };
  };
  const skip = () => {
    while (at < text.length && WHITESPACE.has(text[at]!)) at++;
  };
  const match = (re: RegExp) => {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m || m[0].length === 0) return false;
    at += m[0].length;
    return true;
  };
  /** A string at `at` (which is a quote); an error, or undefined once past its closing quote. */
  const string = (): JsonSyntaxError | undefined => {
    at++;
    match(STRING_PART);
    if (text[at] === '"') {
      at++;
      return undefined;
    }
    if (at >= text.length) return fail('a closing double quote');
    return fail(
      text[at] === '\\'
        ? 'a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX)'
        : 'no raw control character in a string (write \\n, \\t…)',
    );
  };

  // The containers still open, innermost last: after each value, what may follow depends on it.
  const open: Array<'{' | '['> = [];
  for (;;) {
    // A value.
    skip();
    const c = text[at];
    if (c === '{' || c === '[') {
      at++;
      skip();
      const close = c === '{' ? '}' : ']';
      if (text[at] === close) at++;
      else {
        open.push(c);
        if (c === '{') {
          if (text[at] !== '"') return fail(`a property name in double quotes or '}'`);
          const bad = string();
          if (bad) return bad;
          skip();
          if (text[at] !== ':') return fail("':' after the property name");
          at++;
        }
        continue;
      }
    } else if (c === '"') {
      const bad = string();
      if (bad) return bad;
    } else if (!(match(NUMBER) || match(LITERAL))) {
      return fail(
        at >= text.length
          ? 'more: the text ends early'
          : 'a value (an object, a list, a string in double quotes, a number, true, false or null)',
      );
    }
    // After a value: close containers, or a comma and the next member.
    for (;;) {
      skip();
      const inner = open.at(-1);
      if (inner === undefined) return at < text.length ? fail('nothing after the end of the JSON value') : undefined;
      const close = inner === '{' ? '}' : ']';
      if (text[at] === close) {
        at++;
        open.pop();
        continue;
      }
      if (text[at] !== ',') return fail(at >= text.length ? `'${close}': the text ends early` : `',' or '${close}'`);
      at++;
      skip();
      if (inner === '{') {
        if (text[at] !== '"')
          return fail(
            text[at] === '}'
              ? 'a property name in double quotes (no comma before })'
              : 'a property name in double quotes',
          );
        const bad = string();
        if (bad) return bad;
        skip();
        if (text[at] !== ':') return fail("':' after the property name");
        at++;
      } else if (text[at] === ']') return fail('a value (no comma before ])');
      break;
    }
  }
}
