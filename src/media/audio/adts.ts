/** Sampling frequencies by index (ISO/IEC 14496-3 Table 1.18). */
const FREQUENCIES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];
/** MPEG-4 audio object type of AAC-LC (ISO/IEC 14496-3 Table 1.17). */
const AAC_LC_OBJECT_TYPE = 2;

/**
 * The 2-byte AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1) of an AAC stream: object type (5 bits),
 * sampling frequency index (4), channel configuration (4), then three zero flags.
 */
export function audioSpecificConfig(objectType: number, sampleRate: number, channels: number): Buffer {
  const index = FREQUENCIES.indexOf(sampleRate);
  if (index < 0) throw new RangeError(`no AAC sampling frequency index for ${sampleRate} Hz`);
  const asc = Buffer.alloc(2);
  asc.writeUInt16BE((objectType << 11) | (index << 7) | (channels << 3));
  return asc;
}

/** AudioSpecificConfig of AAC-LC at a sample rate and channel count: 0x1190 for 48 kHz stereo. */
export const aacLcConfig = (sampleRate: number, channels: number) =>
  audioSpecificConfig(AAC_LC_OBJECT_TYPE, sampleRate, channels);

/** The stream parameters an MP4 audio sample entry needs. */
export interface AdtsConfig {
  /** 2-byte AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1). */
  audioSpecificConfig: Buffer;
  sampleRate: number;
  channels: number;
}

/** One ADTS frame in a buffer: its raw AAC payload is `buf[payload, payload + size)`. */
export interface AdtsFrame {
  payload: number;
  size: number;
}

/**
 * Parses a whole ADTS stream (ISO/IEC 13818-7 §6.2) into its frames and the AAC configuration of the
 * first; throws when it loses sync, ends mid-frame or holds no frame.
 */
export function indexAdts(buf: Buffer): AdtsConfig & { frames: AdtsFrame[] } {
  const frames: AdtsFrame[] = [];
  let config: AdtsConfig | undefined;
  let at = 0;
  while (at < buf.length) {
    if (buf.length - at < 7) throw new Error(`truncated ADTS frame at byte ${at}`);
    if (buf[at] !== 0xff || (buf[at + 1]! & 0xf0) !== 0xf0) throw new Error(`ADTS sync lost at byte ${at}`);
    const frameLength = ((buf[at + 3]! & 0x03) << 11) | (buf[at + 4]! << 3) | (buf[at + 5]! >> 5);
    const headerLength = buf[at + 1]! & 0x01 ? 7 : 9;
    if (frameLength < headerLength) throw new Error(`bad ADTS frame length at byte ${at}`);
    if (at + frameLength > buf.length) throw new Error(`truncated ADTS frame at byte ${at}`);
    if (!config) {
      const objectType = (buf[at + 2]! >> 6) + 1;
      const freqIndex = (buf[at + 2]! >> 2) & 0x0f;
      const channels = ((buf[at + 2]! & 0x01) << 2) | (buf[at + 3]! >> 6);
      const asc = Buffer.alloc(2);
      asc.writeUInt16BE((objectType << 11) | (freqIndex << 7) | (channels << 3));
      config = { audioSpecificConfig: asc, sampleRate: FREQUENCIES[freqIndex] ?? 0, channels };
    }
    frames.push({ payload: at + headerLength, size: frameLength - headerLength });
    at += frameLength;
  }
  if (!config) throw new Error('empty ADTS stream');
  return { ...config, frames };
}
