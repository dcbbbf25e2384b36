import type { z } from 'zod';
import type { FieldProblem } from '../../errors.js';

/**
 * zod's findings about a request body, in the words a person sending it would use: every problem at once, each
 * naming its field by its path (`clips[0].cuts[1]`). The schemas carry the messages of their own rules ("a cut is
 * [from, to] in source seconds"); `plainWords` says the generic ones (a missing field, a wrong type, an unknown
 * field) without zod's vocabulary ("expected tuple").
 */

/** `clips[0].source` style path for an error's `field`; `(body)` for the body itself. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  const text = path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
    '',
  );
  return text || '(body)';
}

const TYPE_NAMES: Record<string, string> = {
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list [ … ]',
  tuple: 'a list [ … ]',
  object: 'an object { … }',
};

/** A received value, briefly: `the string "1"`, `null`, `a list`. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case 'number':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

const bound = (value: number | bigint, inclusive: boolean | undefined, word: 'least' | 'most') =>
  inclusive === false ? `${word === 'least' ? 'more' : 'less'} than ${value}` : `at ${word} ${value}`;

/**
 * The message for an issue that its schema did not word itself. Passed to `safeParse` as its error map, so it
 * sees the value (`input`) and the schema (`inst`) behind each issue.
 */
export function plainWords(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      if (!issue.path?.length && issue.expected === 'object')
        return `must be a JSON object like {"clips": [{"source": "landscape.mp4"}]}, not ${describe(issue.input)}`;
      if (issue.input === undefined) return 'is required';
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      return `must be ${expected}, not ${describe(issue.input)}`;
    }
    case 'too_small':
      if (issue.origin === 'number') return `must be ${bound(issue.minimum as number, issue.inclusive, 'least')}`;
      if (issue.origin === 'array') return `must have at least ${issue.minimum} items`;
      return `must have at least ${issue.minimum} characters`;
    case 'too_big':
      if (issue.origin === 'number') return `must be ${bound(issue.maximum as number, issue.inclusive, 'most')}`;
      if (issue.origin === 'array') return `must have at most ${issue.maximum} items`;
      return `must have at most ${issue.maximum} characters`;
    case 'unrecognized_keys': {
      const shape = (issue.inst as { shape?: Record<string, unknown> } | undefined)?.shape;
      const known = shape ? `; the fields here are ${Object.keys(shape).join(', ')}` : '';
      return `is not a field the API knows${known}`;
    }
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      return options ? `must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}` : 'matches no allowed form';
    }
    case 'invalid_value':
      return `must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
    default:
      return undefined;
  }
}

/** Every issue as a field problem; an unknown field is one problem per key, named by the key. */
export function fieldProblems(issues: readonly z.core.$ZodIssue[]): FieldProblem[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: fieldPath([...issue.path, key]), message: issue.message }))
      : [{ field: fieldPath(issue.path), message: issue.message }],
  );
}
