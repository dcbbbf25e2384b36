import { AAC_FRAME_SAMPLES } from '../../core/timeline/media-units.js';
import { UNITY_MATRIX, box, fullBox, u16, u32, u64, u8, zeros } from './writer.js';

/** The AAC stream parameters an init segment describes. */
export interface AacConfig {
  /** 2-byte AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1). */
  audioSpecificConfig: Buffer;
  sampleRate: number;
  channels: number;
  bitrate: number;
}

const TRACK_ID = 1;
const FRAME_SAMPLES = AAC_FRAME_SAMPLES;

/** An MPEG-4 descriptor: tag, then the length in the 4-byte expandable form. */
function descriptor(tag: number, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  const n = body.length;
  return Buffer.concat([
    u8(tag, 0x80 | ((n >> 21) & 0x7f), 0x80 | ((n >> 14) & 0x7f), 0x80 | ((n >> 7) & 0x7f), n & 0x7f),
    body,
  ]);
}

function esds(config: AacConfig): Buffer {
  const decoderConfig = descriptor(
    0x04,
    u8(0x40, 0x15), // objectTypeIndication: MPEG-4 audio; streamType 5 (audio) << 2 | upStream 0 | reserved 1
    u8(0, 0x18, 0), // bufferSizeDB: 6144 bytes, the AAC-LC maximum per channel pair
    u32(config.bitrate, config.bitrate),
    descriptor(0x05, config.audioSpecificConfig),
  );
  return fullBox('esds', 0, 0, descriptor(0x03, u16(0), u8(0), decoderConfig, descriptor(0x06, u8(0x02))));
}

/** ftyp+moov of a fragmented AAC track: CMAF-style, one track, timescale = sample rate. */
export function aacInitSegment(config: AacConfig): Buffer {
  const ftyp = box('ftyp', Buffer.from('iso6', 'latin1'), u32(0), Buffer.from('iso6cmfcdashmp41', 'latin1'));
  const mvhd = fullBox(
    'mvhd',
    0,
    0,
    u32(0, 0, 1000, 0),
    u32(0x00010000),
    u16(0x0100),
    zeros(10),
    UNITY_MATRIX,
    zeros(24),
    u32(TRACK_ID + 1),
  );
  const tkhd = fullBox(
    'tkhd',
    0,
    0x3,
    u32(0, 0, TRACK_ID, 0, 0),
    zeros(8),
    u16(0, 0, 0x0100, 0),
    UNITY_MATRIX,
    u32(0, 0),
  );
  const mdhd = fullBox('mdhd', 0, 0, u32(0, 0, config.sampleRate, 0), u16(0x55c4, 0)); // language "und"
  const hdlr = fullBox(
    'hdlr',
    0,
    0,
    u32(0),
    Buffer.from('soun', 'latin1'),
    zeros(12),
    Buffer.from('SoundHandler\0', 'latin1'),
  );
  const mp4a = box(
    'mp4a',
    zeros(6),
    u16(1), // data_reference_index
    zeros(8),
    u16(config.channels, 16, 0, 0),
    u32(config.sampleRate * 65536),
    esds(config),
  );
  const stbl = box(
    'stbl',
    fullBox('stsd', 0, 0, u32(1), mp4a),
    fullBox('stts', 0, 0, u32(0)),
    fullBox('stsc', 0, 0, u32(0)),
    fullBox('stsz', 0, 0, u32(0, 0)),
    fullBox('stco', 0, 0, u32(0)),
  );
  const dinf = box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1)));
  const minf = box('minf', fullBox('smhd', 0, 0, u16(0, 0)), dinf, stbl);
  const trak = box('trak', tkhd, box('mdia', mdhd, hdlr, minf));
  const mvex = box('mvex', fullBox('trex', 0, 0, u32(TRACK_ID, 1, FRAME_SAMPLES, 0, 0)));
  return Buffer.concat([ftyp, box('moov', mvhd, trak, mvex)]);
}

/**
 * One moof+mdat holding whole AAC frames. `firstFrame` places it on the track's timeline:
 * baseMediaDecodeTime = firstFrame × 1024 samples, so consecutive slices join with no gap.
 */
export function aacMediaSegment(frames: readonly Buffer[], firstFrame: number, sequenceNumber: number): Buffer {
  const build = (dataOffset: number) =>
    box(
      'moof',
      fullBox('mfhd', 0, 0, u32(sequenceNumber)),
      box(
        'traf',
        // default-base-is-moof (0x020000) | default-sample-duration-present (0x08)
        fullBox('tfhd', 0, 0x020008, u32(TRACK_ID, FRAME_SAMPLES)),
        fullBox('tfdt', 1, 0, u64(firstFrame * FRAME_SAMPLES)),
        // data-offset-present (0x01) | sample-size-present (0x200)
        fullBox('trun', 0, 0x000201, u32(frames.length, dataOffset), u32(...frames.map((f) => f.length))),
      ),
    );
  const moofSize = build(0).length;
  const moof = build(moofSize + 8);
  return Buffer.concat([moof, box('mdat', ...frames)]);
}
