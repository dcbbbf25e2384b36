/** Image formats an image overlay may be, and the ffmpeg demuxer each is read with. */
export const IMAGE_DEMUXERS = { png: 'png_pipe', jpeg: 'jpeg_pipe', webp: 'webp_pipe' } as const;
export type ImageFormat = keyof typeof IMAGE_DEMUXERS;
export type ImageDemuxer = (typeof IMAGE_DEMUXERS)[ImageFormat];

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
}

const be16 = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;
const be32 = (b: Uint8Array, at: number) =>
  ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
const le16 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const le24 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
const ascii = (b: Uint8Array, at: number, length: number) => String.fromCharCode(...b.subarray(at, at + length));

/**
 * An image's format and size from its first bytes, without decoding it: PNG's IHDR, a JPEG's frame
 * header (SOFn, after any EXIF or ICC segments), WebP's VP8/VP8L/VP8X header. undefined when the
 * bytes are none of these or end before the size. Mint checks the size against the limits before
 * anything decodes the picture (a small file may claim an enormous one).
 */
export function imageHeader(bytes: Uint8Array): ImageHeader | undefined {
  if (
    bytes.length >= 24 &&
    be32(bytes, 0) === 0x89504e47 &&
    be32(bytes, 4) === 0x0d0a1a0a &&
    ascii(bytes, 12, 4) === 'IHDR'
  ) {
    return { format: 'png', width: be32(bytes, 16), height: be32(bytes, 20) };
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return jpegHeader(bytes);
  if (bytes.length >= 30 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return webpHeader(bytes);
  return undefined;
}

function jpegHeader(bytes: Uint8Array): ImageHeader | undefined {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    // Fill bytes before a marker.
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    // Markers without a length: TEM, RST0–7.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    // Start of scan or end of image before a frame header: not a picture we can size.
    if (marker === 0xda || marker === 0xd9) return undefined;
    // SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (at + 9 > bytes.length) return undefined;
      return { format: 'jpeg', height: be16(bytes, at + 5), width: be16(bytes, at + 7) };
    }
    at += 2 + be16(bytes, at + 2);
  }
  return undefined;
}

function webpHeader(bytes: Uint8Array): ImageHeader | undefined {
  const chunk = ascii(bytes, 12, 4);
  if (chunk === 'VP8 ' && bytes[23] === 0x9d && bytes[24] === 0x01 && bytes[25] === 0x2a) {
    return { format: 'webp', width: le16(bytes, 26) & 0x3fff, height: le16(bytes, 28) & 0x3fff };
  }
  if (chunk === 'VP8L' && bytes[20] === 0x2f) {
    const bits = bytes[21]! | (bytes[22]! << 8) | (bytes[23]! << 16) | (bytes[24]! << 24);
    return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') return { format: 'webp', width: le24(bytes, 24) + 1, height: le24(bytes, 27) + 1 };
  return undefined;
}

/** An image overlay's picture as checked at mint time. */
export interface ImageInfo {
  key: string;
  /** ETag (S3) or mtime+size (files) when it was checked. */
  etag: string;
  size: number;
  format: ImageFormat;
  width: number;
  height: number;
}
