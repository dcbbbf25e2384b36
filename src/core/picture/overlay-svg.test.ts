import { describe, expect, it } from 'vitest';
import { drawingSvgBody, pixelBox, svgDocument, textLayout, textSvgBody, xmlText } from './overlay-svg.js';
import type { TextOverlay } from '../edits/overlays.js';

describe('text as XML character data', () => {
  it.each([
    ['quotes and apostrophes', `it's "quoted"`, `it's "quoted"`],
    ['markup', '</text><script>alert(1)</script>', '&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['entities', '&amp; &#x41; &lt;', '&amp;amp; &amp;#x41; &amp;lt;'],
    [
      'ffmpeg expansion and filter syntax',
      "%{pts\\:hms} [v];drawbox=c=red:t=fill,'x'",
      "%{pts\\:hms} [v];drawbox=c=red:t=fill,'x'",
    ],
    ['a CDATA end', ']]>', ']]&gt;'],
    ['tabs', 'a\tb', 'a b'],
    ['control characters and a lone surrogate', 'a\u0000\u0007\u001b\u0085b\ud800c', 'abc'],
    ['any script, emoji', 'Ωμέγα Привет 日本語 🎬', 'Ωμέγα Привет 日本語 🎬'],
  ])('%s', (_name, text, xml) => {
    expect(xmlText(text)).toBe(xml);
  });

  it('leaves no way out of the text element', () => {
    const body = textSvgBody(
      { kind: 'text', text: '"/><rect width="9999" height="9999"/><text>', x: 0, y: 0, size: 0.1 },
      1280,
      720,
    );
    expect(body.match(/<rect/g)).toBeNull();
    expect(body.match(/<text /g)).toHaveLength(1);
  });
});

describe('text layout', () => {
  const caption: TextOverlay = {
    kind: 'text',
    text: 'Quarterly review\nsecond line',
    x: 0.05,
    y: 0.8,
    size: 0.06,
    background: '#000000b3',
  };

  it('scales with the canvas: the same fractions at every rendition', () => {
    const big = textLayout(caption, 1280, 720);
    const small = textLayout(caption, 640, 360);
    expect(big.fontSize).toBeCloseTo(43.2);
    expect(small.fontSize).toBeCloseTo(21.6);
    expect(big.left / 1280).toBeCloseTo(small.left / 640);
    expect(big.firstBaseline / 720).toBeCloseTo(small.firstBaseline / 360);
    expect(big.lines).toEqual(['Quarterly review', 'second line']);
    // The first baseline: the half leading and the ascent below the top.
    expect(big.firstBaseline - big.top).toBeCloseTo(0.9462 * big.fontSize, 3);
  });

  it('puts the background box around the block with its padding, behind the text', () => {
    const body = textSvgBody(caption, 1280, 720, 500);
    const padding = 0.2 * 43.2;
    expect(body.startsWith('<rect')).toBe(true);
    expect(body).toContain(`x="${(64 - padding).toFixed(3).replace(/0+$/, '')}"`);
    expect(body).toContain('fill="#000000" fill-opacity="0.702"');
    expect(body.match(/<text /g)).toHaveLength(2);
  });
});

describe('drawings', () => {
  it('are paths in rendition pixels with round caps and joins, the width a fraction of the height', () => {
    const body = drawingSvgBody(
      {
        kind: 'drawing',
        strokes: [
          {
            points: [
              [0.1, 0.5],
              [0.6, 0.5],
            ],
            color: '#00ff0080',
            width: 0.02,
          },
        ],
      },
      1280,
      720,
    );
    expect(body).toBe(
      '<path d="M128 360 L768 360" fill="none" stroke="#00ff00" stroke-opacity="0.502" stroke-width="14.4" stroke-linecap="round" stroke-linejoin="round"/>',
    );
  });
});

describe('the rendered box', () => {
  it.each([
    [
      { x: 10.4, y: 20.6, width: 100, height: 30 },
      { x: 9, y: 19, width: 103, height: 33 },
    ],
    [
      { x: -5, y: -5, width: 20, height: 20 },
      { x: 0, y: 0, width: 16, height: 16 },
    ],
    [
      { x: 1270, y: 700, width: 50, height: 50 },
      { x: 1269, y: 699, width: 11, height: 21 },
    ],
  ])('%o → %o (a pixel of margin, clipped to the canvas)', (bounds, box) => {
    expect(pixelBox(bounds, 1280, 720)).toEqual(box);
  });

  it('is nothing off the canvas, and renders the same pixel grid as the whole canvas', () => {
    expect(pixelBox({ x: 1300, y: 0, width: 10, height: 10 }, 1280, 720)).toBeUndefined();
    expect(svgDocument('', 1280, 720, { x: 9, y: 19, width: 103, height: 34 })).toContain(
      'width="103" height="34" viewBox="9 19 103 34"',
    );
  });
});
