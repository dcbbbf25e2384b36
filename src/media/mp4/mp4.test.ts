import { describe, expect, it } from 'vitest';
import { indexAdts } from '../audio/adts.js';
import { aacInitSegment, aacMediaSegment } from './aac-track.js';
import { findBox, readBoxes, readTfdt, setSequenceNumbers, splitFragmentedMp4 } from './boxes.js';

/** An ADTS frame header (no CRC) for AAC-LC, 48 kHz, stereo, around `payload` bytes. */
function adtsFrame(payload: Buffer): Buffer {
  const length = payload.length + 7;
  const header = Buffer.from([
    0xff,
    0xf1,
    (1 << 6) | (3 << 2),
    (2 << 6) | ((length >> 11) & 0x03),
    (length >> 3) & 0xff,
    ((length & 0x07) << 5) | 0x1f,
    0xfc,
  ]);
  return Buffer.concat([header, payload]);
}

describe('indexAdts', () => {
  it('locates every frame payload and reads the stream configuration', () => {
    const stream = Buffer.concat([adtsFrame(Buffer.alloc(10, 1)), adtsFrame(Buffer.alloc(20, 2))]);
    const index = indexAdts(stream);
    expect(index.frames).toEqual([
      { payload: 7, size: 10 },
      { payload: 24, size: 20 },
    ]);
    expect(index).toMatchObject({ sampleRate: 48000, channels: 2 });
    // AudioSpecificConfig: object type 2 (LC), frequency index 3, channel configuration 2.
    expect(index.audioSpecificConfig.toString('hex')).toBe('1190');
  });

  it('refuses a stream that loses sync or ends mid-frame', () => {
    expect(() => indexAdts(Buffer.concat([adtsFrame(Buffer.alloc(4)), Buffer.from([0, 0, 0, 0, 0, 0, 0])]))).toThrow(
      /sync/,
    );
    expect(() => indexAdts(adtsFrame(Buffer.alloc(10)).subarray(0, 12))).toThrow(/truncated/);
  });
});

describe('AAC track boxes', () => {
  const init = aacInitSegment({
    audioSpecificConfig: Buffer.from([0x11, 0x90]),
    sampleRate: 48000,
    channels: 2,
    bitrate: 128000,
  });

  it('writes ftyp+moov with one sound track at the sample rate as timescale', () => {
    expect(readBoxes(init).map((b) => b.type)).toEqual(['ftyp', 'moov']);
    const mdhd = findBox(init, ['moov', 'trak', 'mdia', 'mdhd'])!;
    expect(init.readUInt32BE(mdhd.start + 8 + 12)).toBe(48000);
    expect(findBox(init, ['moov', 'mvex', 'trex'])).toBeDefined();
    expect(init.includes(Buffer.from('esds'))).toBe(true);
  });

  it('places a slice on the timeline by its first frame and points trun at the mdat payload', () => {
    const frames = [Buffer.alloc(5, 0xaa), Buffer.alloc(7, 0xbb)];
    const media = aacMediaSegment(frames, 200, 3);
    const [moof, mdat] = readBoxes(media);
    expect([moof!.type, mdat!.type]).toEqual(['moof', 'mdat']);
    expect(readTfdt(media)).toBe(200n * 1024n);
    const trun = findBox(media, ['traf', 'trun'], moof!.start + 8, moof!.start + moof!.size)!;
    const dataOffset = media.readInt32BE(trun.start + 16);
    expect(media.subarray(dataOffset, dataOffset + 5).equals(frames[0]!)).toBe(true);
    const mfhd = findBox(media, ['mfhd'], moof!.start + 8, moof!.start + moof!.size)!;
    expect(media.readUInt32BE(mfhd.start + 12)).toBe(3);
  });

  it('renumbers fragments and splits init from media', () => {
    const media = Buffer.concat([aacMediaSegment([Buffer.alloc(3)], 0, 1), aacMediaSegment([Buffer.alloc(3)], 1, 1)]);
    setSequenceNumbers(media, 10);
    const split = splitFragmentedMp4(Buffer.concat([init, media]));
    expect(split.init.equals(init)).toBe(true);
    expect(split.media.equals(media)).toBe(true);
    const numbers = readBoxes(media)
      .filter((b) => b.type === 'moof')
      .map((b) => media.readUInt32BE(b.start + 8 + 12));
    expect(numbers).toEqual([10, 11]);
  });

  it('refuses a box that overruns its container', () => {
    const bad = Buffer.from(init);
    bad.writeUInt32BE(init.length + 100, 0);
    expect(() => readBoxes(bad)).toThrow(/overruns/);
    expect(() => splitFragmentedMp4(init)).toThrow(/not a fragmented MP4/);
  });
});
