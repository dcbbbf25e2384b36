import { UnusableSourceError } from '../../errors.js';

/**
 * Containers avserver reads, by ffmpeg demuxer name. Anything else is refused at mint time — ffprobe
 * would otherwise accept a text file as "tty" video, or a disguised playlist that opens other files.
 */
const DEMUXERS = ['mov', 'matroska', 'mpegts'] as const;
export type Demuxer = (typeof DEMUXERS)[number];

/** The ffmpeg demuxer to force (`-f`) when reading a probed source. */
export function demuxerOf(format: string): Demuxer {
  const names = format.split(',');
  const demuxer = DEMUXERS.find((d) => names.includes(d));
  if (!demuxer)
    throw new UnusableSourceError(`is not a supported container (${format}); use MP4, MOV, WebM/Matroska or MPEG-TS`);
  return demuxer;
}

/** Bytes of a source read to tell its container (what `containerOf` looks at). */
export const SNIFF_BYTES = 4096;

/** Top-level box types an MP4 or a QuickTime file starts with (ISO/IEC 14496-12; Apple's QTFF). */
const MOV_FIRST_BOXES = new Set(['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot']);
const MPEGTS_PACKET = 188;

/**
 * The container a source is, from its first bytes, so ffprobe and ffmpeg are told which demuxer to
 * use and never guess: a `.mp4` that holds `#EXTM3U` would otherwise be opened as a playlist and its
 * lines followed (a `file://` outside the media root, a URL the uploader chose). undefined: none of
 * ours.
 */
export function containerOf(head: Uint8Array): Demuxer | undefined {
  if (head.length >= 8) {
    const type = String.fromCharCode(head[4]!, head[5]!, head[6]!, head[7]!);
    if (MOV_FIRST_BOXES.has(type)) return 'mov';
  }
  // EBML header (Matroska, WebM).
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return 'matroska';
  // Transport stream packets: a sync byte every 188 bytes.
  if (
    head.length >= 2 * MPEGTS_PACKET + 1 &&
    head[0] === 0x47 &&
    head[MPEGTS_PACKET] === 0x47 &&
    head[2 * MPEGTS_PACKET] === 0x47
  )
    return 'mpegts';
  return undefined;
}

/**
 * `-protocol_whitelist` for an input: a local file may open only files; a presigned URL only its own
 * scheme (and what carries it). A nested reference to anything else fails instead of being fetched.
 */
export function protocolsFor(input: string): string {
  if (input.startsWith('https://')) return 'https,tls,tcp';
  if (input.startsWith('http://')) return 'http,tcp';
  return 'file';
}

/** The input options every ffprobe and ffmpeg run puts before `-i`: the demuxer forced, the protocols allowed. */
export function inputOptions(input: string, demuxer: Demuxer): string[] {
  return ['-protocol_whitelist', protocolsFor(input), '-f', demuxer];
}

/** Exact decimal text for a time, so filter and seek arguments land on the intended frame or sample. */
export const exactSeconds = (seconds: number) => seconds.toPrecision(17).replace(/\.?0+$/, '');

/** How every ffmpeg run starts: no banner, never reading stdin, errors only (stderr is kept for them). */
export const FFMPEG_QUIET = ['-hide_banner', '-nostdin', '-loglevel', 'error'] as const;
