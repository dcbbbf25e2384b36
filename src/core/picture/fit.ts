/** Where a picture goes on a canvas: its scaled size and its offset, all even (4:2:0 chroma). */
export interface Placement {
  width: number;
  height: number;
  x: number;
  y: number;
}

/** The even number at or below n, at least 2: a fitted picture never overflows its box. */
const evenBelow = (n: number) => Math.max(2, 2 * Math.floor(n / 2));

/**
 * Fits a picture of display size `source` inside a canvas: the whole canvas when the aspect ratios
 * match within 1% (a 1278×720 recording fills a 1280×720 canvas), otherwise the largest size with the
 * picture's aspect that fits, centred — letterbox or pillarbox.
 */
export function fitInside(
  source: { width: number; height: number },
  canvas: { width: number; height: number },
): Placement {
  if (Math.abs(source.width / source.height / (canvas.width / canvas.height) - 1) < 0.01)
    return { width: canvas.width, height: canvas.height, x: 0, y: 0 };
  const scale = Math.min(canvas.width / source.width, canvas.height / source.height);
  const width = Math.min(canvas.width, evenBelow(Math.round(source.width * scale)));
  const height = Math.min(canvas.height, evenBelow(Math.round(source.height * scale)));
  // Half the margin, rounded down to even: centred to within a pixel.
  return {
    width,
    height,
    x: 2 * Math.floor((canvas.width - width) / 4),
    y: 2 * Math.floor((canvas.height - height) / 4),
  };
}

/** zimg's names for the YUV matrices ffprobe reports (`color_space`). */
const ZIMG_MATRICES: Record<string, string> = {
  bt709: '709',
  smpte170m: '170m',
  bt470bg: '470bg',
  smpte240m: '240m',
  bt2020nc: '2020_ncl',
  bt2020c: '2020_cl',
  fcc: 'fcc',
  ycgco: 'ycgco',
};

/**
 * The YUV matrix a source's samples were made with, as zimg names it: what the source says, else what
 * players assume for its size — BT.601 below 720 lines, BT.709 from there (ITU-R BT.1700 / BT.709).
 * Every output is BT.709, so every rendition and every clip of a revision shows the same colours.
 */
export function sourceMatrix(video: { matrix?: string; displayWidth: number; displayHeight: number }): string {
  const known = video.matrix ? ZIMG_MATRICES[video.matrix] : undefined;
  return known ?? (Math.min(video.displayWidth, video.displayHeight) < 720 ? '170m' : '709');
}
