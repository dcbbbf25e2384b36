import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { imageHeader } from './image-header.js';

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../../fixtures/media/brand/${name}`, import.meta.url)));

describe('image headers', () => {
  it.each([
    ['logo.png', { format: 'png', width: 240, height: 120 }],
    ['logo.jpg', { format: 'jpeg', width: 160, height: 90 }],
    ['logo.webp', { format: 'webp', width: 160, height: 90 }],
  ])('%s → %o', (name, header) => {
    expect(imageHeader(fixture(name))).toEqual(header);
  });

  it('finds a JPEG frame header after EXIF and ICC segments', () => {
    const jpeg = fixture('logo.jpg');
    const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, 0x10, 0x02]), Buffer.alloc(0x1000, 0x41)]);
    const withExif = Buffer.concat([jpeg.subarray(0, 2), app1, app1, jpeg.subarray(2)]);
    expect(imageHeader(withExif)).toEqual({ format: 'jpeg', width: 160, height: 90 });
  });

  it('reads the size a WebP says (lossy, lossless and extended), however large', () => {
    const lossy = Buffer.alloc(30);
    lossy.write('RIFF', 0);
    lossy.write('WEBPVP8 ', 8);
    lossy.set([0x9d, 0x01, 0x2a, 0x80, 0x07, 0x38, 0x04], 23);
    expect(imageHeader(lossy)).toEqual({ format: 'webp', width: 1920, height: 1080 });
    const extended = Buffer.alloc(30);
    extended.write('RIFF', 0);
    extended.write('WEBPVP8X', 8);
    extended.set([0xff, 0xff, 0xff, 0x0f, 0x00, 0x00], 24);
    expect(imageHeader(extended)).toEqual({ format: 'webp', width: 16777216, height: 16 });
  });

  it.each([
    ['nothing', Buffer.alloc(0)],
    ['text', Buffer.from('#EXTM3U\nhttp://169.254.169.254/\n')],
    [
      'an MP4',
      readFileSync(fileURLToPath(new URL('../../../fixtures/media/landscape.mp4', import.meta.url))).subarray(0, 4096),
    ],
    ['a PNG cut before its IHDR', fixture('logo.png').subarray(0, 20)],
    ['a JPEG whose scan starts before any frame header', Buffer.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x02])],
    ['a JPEG cut short', fixture('logo.jpg').subarray(0, 6)],
  ])('is nothing for %s', (_name, bytes) => {
    expect(imageHeader(bytes)).toBeUndefined();
  });
});
