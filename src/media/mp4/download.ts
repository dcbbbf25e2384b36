import { findBox, readBoxes, type BoxRef } from './boxes.js';
import { box, fullBox, u64 } from './writer.js';

/**
 * A whole revision as one fragmented MP4 file, laid out from the segments players get: one init with
 * a track for each init segment (numbered from 1 in order: the video, then the audio), then each
 * segment's fragments in the same order. Fragments keep their bytes; only their track and sequence
 * numbers change.
 */

const bytesOf = (buf: Buffer, b: BoxRef) => buf.subarray(b.start, b.start + b.size);
const childrenOf = (buf: Uint8Array, b: BoxRef) => readBoxes(buf, b.start + b.headerSize, b.start + b.size);

function child(buf: Buffer, parent: BoxRef, type: string): BoxRef {
  const found = childrenOf(buf, parent).find((b) => b.type === type);
  if (!found) throw new Error(`no ${type} in ${parent.type}`);
  return found;
}

/** The field after a full box's version and flags, where tkhd's (after its times), trex's and tfhd's track_ID sits. */
function setTrackId(full: Buffer, type: 'tkhd' | 'trex' | 'tfhd', trackId: number): void {
  const version = full[8]!;
  const at = type === 'tkhd' ? 12 + (version === 1 ? 16 : 8) : 12;
  full.writeUInt32BE(trackId, at);
}

/** A copy of init segment `init`'s one trak and trex, as track `trackId`. */
function trackOf(init: Buffer, trackId: number): { trak: Buffer; trex: Buffer } {
  const moov = findBox(init, ['moov']);
  if (!moov) throw new Error('init segment without moov');
  const trak = Buffer.from(bytesOf(init, child(init, moov, 'trak')));
  const tkhd = childrenOf(trak, readBoxes(trak)[0]!).find((b) => b.type === 'tkhd');
  if (!tkhd) throw new Error('trak without tkhd');
  const trex = Buffer.from(bytesOf(init, child(init, child(init, moov, 'mvex'), 'trex')));
  setTrackId(trak.subarray(tkhd.start, tkhd.start + tkhd.size), 'tkhd', trackId);
  setTrackId(trex, 'trex', trackId);
  return { trak, trex };
}

/**
 * The file's init: the first init's ftyp and mvhd (its duration and next track set), each init's trak
 * as track 1, 2…, and an mvex whose mehd says how long the file lasts, so a player shows the length
 * before it has read the fragments.
 */
export function downloadInit(inits: readonly Buffer[], seconds: number): Buffer {
  const first = inits[0]!;
  const ftyp = findBox(first, ['ftyp']);
  const moov = findBox(first, ['moov']);
  if (!ftyp || !moov) throw new Error('init segment without ftyp or moov');
  const mvhd = Buffer.from(bytesOf(first, child(first, moov, 'mvhd')));
  const v1 = mvhd[8] === 1;
  const timescale = mvhd.readUInt32BE(v1 ? 28 : 20);
  const duration = Math.round(seconds * timescale);
  if (v1) mvhd.writeBigUInt64BE(BigInt(duration), 32);
  else mvhd.writeUInt32BE(duration, 24);
  mvhd.writeUInt32BE(inits.length + 1, mvhd.length - 4);
  const tracks = inits.map((init, i) => trackOf(init, i + 1));
  const mvex = box('mvex', fullBox('mehd', 1, 0, u64(duration)), ...tracks.map((t) => t.trex));
  return Buffer.concat([bytesOf(first, ftyp), box('moov', mvhd, ...tracks.map((t) => t.trak), mvex)]);
}

/**
 * A copy of a segment's fragments (moof + mdat…, one track) as fragments of `trackId`, numbered from
 * `sequence` on (mfhd: one count across the file's tracks). Returns the copy and the next number.
 */
export function downloadFragments(media: Buffer, trackId: number, sequence: number): { bytes: Buffer; next: number } {
  const out = Buffer.from(media);
  let n = sequence;
  for (const moof of readBoxes(out).filter((b) => b.type === 'moof')) {
    for (const part of childrenOf(out, moof)) {
      if (part.type === 'mfhd') out.writeUInt32BE(n++, part.start + part.headerSize + 4);
      if (part.type !== 'traf') continue;
      const tfhd = childrenOf(out, part).find((b) => b.type === 'tfhd');
      if (!tfhd) throw new Error('traf without tfhd');
      setTrackId(out.subarray(tfhd.start, tfhd.start + tfhd.size), 'tfhd', trackId);
    }
  }
  return { bytes: out, next: n };
}
