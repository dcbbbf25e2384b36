/** H.264 levels (ITU-T H.264 Table A-1): max macroblocks per frame and per second. */
const LEVELS = [
  { idc: 30, maxFs: 1620, maxMbps: 40500 },
  { idc: 31, maxFs: 3600, maxMbps: 108000 },
  { idc: 32, maxFs: 5120, maxMbps: 216000 },
  { idc: 40, maxFs: 8192, maxMbps: 245760 },
  { idc: 42, maxFs: 8704, maxMbps: 522240 },
  { idc: 50, maxFs: 22080, maxMbps: 589824 },
  { idc: 51, maxFs: 36864, maxMbps: 983040 },
  { idc: 52, maxFs: 36864, maxMbps: 2073600 },
] as const;

/** The lowest level (as level_idc, e.g. 31 for 3.1) that admits this frame size and rate. */
export function h264Level(width: number, height: number, fps: number): number {
  const mbs = Math.ceil(width / 16) * Math.ceil(height / 16);
  const level = LEVELS.find((l) => mbs <= l.maxFs && mbs * fps <= l.maxMbps);
  return (level ?? LEVELS[LEVELS.length - 1]!).idc;
}

/** "3.1" for level_idc 31: the form x264's -level option takes. */
export function levelName(idc: number): string {
  return `${Math.floor(idc / 10)}.${idc % 10}`;
}

/** H.264 High profile, profile_idc 100. */
export const HIGH_PROFILE_IDC = 100;

/**
 * RFC 6381 codec string `avc1.PPCCLL` from profile_idc, the constraint flags byte and level_idc —
 * the three bytes after the version in an avcC box (ISO/IEC 14496-15).
 */
export function avcCodecString(profileIdc: number, constraints: number, levelIdc: number): string {
  const hex = (n: number) => n.toString(16).padStart(2, '0').toUpperCase();
  return `avc1.${hex(profileIdc)}${hex(constraints)}${hex(levelIdc)}`;
}

/** AAC-LC in MP4 (RFC 6381: object type 0x40, audio object type 2). */
export const AAC_LC_CODEC = 'mp4a.40.2';
