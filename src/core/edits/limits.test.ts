import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LIMITS } from './limits.js';
import { parseEdits } from './revision.js';
import { bodyAtTheLimits, long } from '../../../test/helpers/edit-bodies.js';

describe('the mint body limit', () => {
  it('holds a body at every other limit at once, and is not far above it', () => {
    const body = bodyAtTheLimits();
    expect(() => parseEdits(body)).not.toThrow();
    const bytes = Buffer.byteLength(JSON.stringify(body));
    expect(bytes).toBeLessThanOrEqual(LIMITS.mintBodyBytes);
    expect(bytes).toBeGreaterThan(0.75 * LIMITS.mintBodyBytes);
  });

  it('is the figure the README states', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`| mint body | ${LIMITS.mintBodyBytes.toLocaleString('en-US')} bytes`);
  });

  it('holds the longest text overlays too', () => {
    const text = {
      kind: 'text',
      text: '\u0007'.repeat(LIMITS.overlayTextCharacters),
      x: long(0) / 2,
      y: 0.5,
      size: 0.1,
    };
    const body = { clips: [{ source: 'a.mp4' }], overlays: Array.from({ length: LIMITS.overlays }, () => text) };
    expect(() => parseEdits(body)).not.toThrow();
    expect(Buffer.byteLength(JSON.stringify(body))).toBeLessThan(LIMITS.mintBodyBytes);
  });
});
