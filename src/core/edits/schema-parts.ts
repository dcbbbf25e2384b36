import { z } from 'zod';
import { LIMITS } from './limits.js';
import { objectKeyProblem } from './object-key.js';

/** Pieces of the mint contract that more than one part of it uses (edits-schema.ts, layouts-schema.ts). */

/** An object key's rules (`objectKeyProblem`) as a zod check. */
export const objectKey = (description: string) =>
  z
    .string()
    .superRefine((key, ctx) => {
      const problem = objectKeyProblem(key);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .meta({ description, minLength: 1, maxLength: LIMITS.objectKeyCharacters });

const COLOUR = /^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$/;

/** A fraction of the canvas's width or height; `positive` for sizes, which 0 would make nothing. */
export const fraction = (of: 'width' | 'height', { positive = false } = {}) => {
  const range = positive ? '(0, 1]' : '[0, 1]';
  const error = `must be a fraction of the canvas ${of} in ${range}`;
  const atLeast = positive ? z.number().gt(0, { error }) : z.number().min(0, { error });
  return atLeast.max(1, { error }).meta({ description: `A fraction of the canvas ${of}, in ${range}.` });
};

export const colour = z
  .string()
  .regex(COLOUR, { error: 'must be a colour written #rrggbb or #rrggbbaa (hex; aa is the opacity)' })
  .meta({ description: '`#rrggbb` or `#rrggbbaa`.', examples: ['#ffffff', '#000000b3'] });

/** Seconds of a source: a clip's start, end and cuts, a layout's `at`. */
export const seconds = z
  .number()
  .min(0, { error: 'must be at least 0 (source seconds)' })
  .max(LIMITS.sourceSeconds, { error: `must be at most ${LIMITS.sourceSeconds} (24 hours, in source seconds)` });
