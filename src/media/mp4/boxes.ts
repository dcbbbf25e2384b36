/** A box (ISO/IEC 14496-12 §4.2) located in a buffer. */
export interface BoxRef {
  type: string;
  start: number;
  size: number;
  headerSize: number;
}

/** The boxes laid end to end in `buf[start, end)`. Throws on a truncated or malformed box. */
export function readBoxes(buf: Uint8Array, start = 0, end = buf.length): BoxRef[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const boxes: BoxRef[] = [];
  let offset = start;
  while (offset < end) {
    if (end - offset < 8) throw new Error(`truncated box header at ${offset}`);
    let size = view.getUint32(offset);
    let headerSize = 8;
    const type = String.fromCharCode(buf[offset + 4]!, buf[offset + 5]!, buf[offset + 6]!, buf[offset + 7]!);
    if (size === 1) {
      size = Number(view.getBigUint64(offset + 8));
      headerSize = 16;
    } else if (size === 0) {
      size = end - offset;
    }
    if (size < headerSize || offset + size > end) throw new Error(`box ${type} at ${offset} overruns its container`);
    boxes.push({ type, start: offset, size, headerSize });
    offset += size;
  }
  return boxes;
}

/** The first box along `path` (e.g. ['moof', 'traf', 'tfdt']) under `buf[start, end)`. */
export function findBox(buf: Uint8Array, path: readonly string[], start = 0, end = buf.length): BoxRef | undefined {
  const [head, ...rest] = path;
  const box = readBoxes(buf, start, end).find((b) => b.type === head);
  if (!box || rest.length === 0) return box;
  return findBox(buf, rest, box.start + box.headerSize, box.start + box.size);
}

/** A fragmented MP4 cut into its initialization part (ftyp+moov) and its media part (moof+mdat…). */
export interface FragmentedMp4 {
  init: Buffer;
  media: Buffer;
}

/**
 * Splits ffmpeg's fragmented MP4 output: ftyp+moov form the init segment, every moof/mdat pair the
 * media segment. `mfra` (a random-access index for whole files) and `udta` are dropped.
 */
export function splitFragmentedMp4(buf: Buffer): FragmentedMp4 {
  const boxes = readBoxes(buf);
  const pick = (types: string[]) =>
    Buffer.concat(boxes.filter((b) => types.includes(b.type)).map((b) => buf.subarray(b.start, b.start + b.size)));
  const init = pick(['ftyp', 'moov']);
  const media = pick(['styp', 'moof', 'mdat']);
  if (!boxes.some((b) => b.type === 'moov') || !boxes.some((b) => b.type === 'moof')) {
    throw new Error(`not a fragmented MP4 (boxes: ${boxes.map((b) => b.type).join(',')})`);
  }
  return { init, media };
}

/** profile_idc, constraint flags and level_idc from the avcC box of an init segment. */
export function readAvcConfig(init: Uint8Array): { profileIdc: number; constraints: number; levelIdc: number } {
  const moov = findBox(init, ['moov']);
  const at = moov ? Buffer.from(init.buffer, init.byteOffset, init.byteLength).indexOf('avcC', moov.start) : -1;
  if (at < 0) throw new Error('no avcC in init segment');
  // After the type: configurationVersion, AVCProfileIndication, profile_compatibility, AVCLevelIndication.
  return { profileIdc: init[at + 5]!, constraints: init[at + 6]!, levelIdc: init[at + 7]! };
}

/** baseMediaDecodeTime of the first track fragment (ISO/IEC 14496-12 §8.8.12). */
export function readTfdt(media: Uint8Array): bigint {
  const moof = findBox(media, ['moof']);
  if (!moof) throw new Error('no moof');
  const tfdt = findBox(media, ['traf', 'tfdt'], moof.start + moof.headerSize, moof.start + moof.size);
  if (!tfdt) throw new Error('no tfdt');
  const view = new DataView(media.buffer, media.byteOffset, media.byteLength);
  const body = tfdt.start + tfdt.headerSize;
  return media[body] === 1 ? view.getBigUint64(body + 4) : BigInt(view.getUint32(body + 4));
}

/**
 * Sets mfhd.sequence_number of every moof, counting up from `first`. ffmpeg starts each run at 1;
 * fragments of a track should carry increasing numbers (ISO/IEC 14496-12 §8.8.5).
 */
export function setSequenceNumbers(media: Buffer, first: number): void {
  let n = first;
  for (const box of readBoxes(media)) {
    if (box.type !== 'moof') continue;
    const mfhd = findBox(media, ['mfhd'], box.start + box.headerSize, box.start + box.size);
    if (!mfhd) throw new Error('moof without mfhd');
    media.writeUInt32BE(n++, mfhd.start + mfhd.headerSize + 4);
  }
}
