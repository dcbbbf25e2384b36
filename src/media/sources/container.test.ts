import { describe, expect, it } from 'vitest';
import { containerOf, inputOptions, protocolsFor } from './container.js';

const ts = () => {
  const b = Buffer.alloc(600);
  for (let i = 0; i < 600; i += 188) b[i] = 0x47;
  return b;
};

describe('containerOf', () => {
  it.each([
    ['an MP4', Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypisom')]), 'mov'],
    [
      'a QuickTime file that starts with its movie',
      Buffer.concat([Buffer.from([0, 0, 1, 0]), Buffer.from('moov')]),
      'mov',
    ],
    ['a WebM', Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81]), 'matroska'],
    ['MPEG-TS packets', ts(), 'mpegts'],
    ['an HLS playlist named .mp4', Buffer.from('#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n'), undefined],
    ['a DASH manifest named .mp4', Buffer.from('<?xml version="1.0"?><MPD>'), undefined],
    ['text', Buffer.from('hello'), undefined],
    ['nothing', Buffer.alloc(0), undefined],
    ['a lone sync byte', Buffer.from([0x47, 1, 2, 3]), undefined],
  ])('%s → %s', (_name, head, expected) => expect(containerOf(head)).toBe(expected));
});

describe('protocolsFor', () => {
  it.each([
    ['/media/a.mp4', 'file'],
    ['https://bucket.s3.amazonaws.com/a.mp4?X-Amz-Signature=1', 'https,tls,tcp'],
    ['http://127.0.0.1:9000/bucket/a.mp4', 'http,tcp'],
  ])('%s → %s', (input, expected) => expect(protocolsFor(input)).toBe(expected));

  it('forces the demuxer and allows only those protocols', () => {
    expect(inputOptions('/m/a.webm', 'matroska')).toEqual(['-protocol_whitelist', 'file', '-f', 'matroska']);
  });
});
