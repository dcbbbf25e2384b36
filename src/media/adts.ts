/** Sampling frequencies by index (ISO/IEC 14496-3 Table 1.18). */
const FREQUENCIES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/** An ADTS stream's frames, located in the file, and the stream's configuration. */
export interface AdtsIndex {
  /** Byte offset of each frame's raw payload (after the ADTS header). */
  offsets: number[];
  sizes: number[];
  audioSpecificConfig: Buffer;
  sampleRate: number;
  channels: number;
}

/** Indexes an ADTS (raw AAC) byte stream (ISO/IEC 13818-7 §6.2). Throws on a broken stream. */
export function indexAdts(buf: Buffer): AdtsIndex {
  const offsets: number[] = [];
  const sizes: number[] = [];
  let config: { objectType: number; freqIndex: number; channels: number } | undefined;
  let at = 0;
  while (at < buf.length) {
    if (buf.length - at < 7 || buf[at] !== 0xff || (buf[at + 1]! & 0xf0) !== 0xf0) throw new Error(`ADTS sync lost at byte ${at}`);
    const protectionAbsent = buf[at + 1]! & 0x01;
    const frameLength = ((buf[at + 3]! & 0x03) << 11) | (buf[at + 4]! << 3) | (buf[at + 5]! >> 5);
    const headerLength = protectionAbsent ? 7 : 9;
    if (frameLength < headerLength || at + frameLength > buf.length) throw new Error(`truncated ADTS frame at byte ${at}`);
    config ??= {
      objectType: (buf[at + 2]! >> 6) + 1,
      freqIndex: (buf[at + 2]! >> 2) & 0x0f,
      channels: ((buf[at + 2]! & 0x01) << 2) | (buf[at + 3]! >> 6),
    };
    offsets.push(at + headerLength);
    sizes.push(frameLength - headerLength);
    at += frameLength;
  }
  if (!config) throw new Error('empty ADTS stream');
  const asc = Buffer.alloc(2);
  asc.writeUInt16BE((config.objectType << 11) | (config.freqIndex << 7) | (config.channels << 3));
  return { offsets, sizes, audioSpecificConfig: asc, sampleRate: FREQUENCIES[config.freqIndex] ?? 0, channels: config.channels };
}
