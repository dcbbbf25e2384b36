/**
 * Beyond playback (`npm run bench:stills`, also part of `npm run bench`): what a thumbnail, an I-frame
 * segment and a download cost, against references measured in the same run. The origin runs as its own
 * process on the 1-minute 1080p bench recording, lookahead off; every run uses a new revision, so
 * nothing is cached. p50 of BENCH_STILL_RUNS (default 7), alternating which goes first.
 */
import type { OriginProcess } from '../test/helpers/origin-process.js';
import { benchSource, cacheDir, fetchOk, freshRevision, idle, percentile, withOrigin } from './lib.js';

const RUNS = Number(process.env.BENCH_STILL_RUNS ?? 7);

/** A thumbnail (320 wide) of a frame in the middle of segment 4, against segment 4 of the 360p rendition. */
async function thumbnailAgainstSegment(node: OriginProcess, source: string) {
  const thumbnail: number[] = [];
  const iframe: number[] = [];
  const segment: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const steps = [
      async () => {
        const { hls } = await freshRevision(node, source);
        segment.push(await fetchOk(node, hls.replace('master.m3u8', '360p/4.m4s')));
      },
      async () => {
        const minted = (await freshRevision(node, source)) as unknown as { thumbnail: string };
        // Segment 4 starts at 12.8 s (2.13 + 2.13 + 4.27 + 4.27); its middle is a GOP's worth of decoding in.
        thumbnail.push(await fetchOk(node, minted.thumbnail.replace('{w}', '320').replace('{t}', '14.9')));
      },
      async () => {
        const { hls } = await freshRevision(node, source);
        iframe.push(await fetchOk(node, hls.replace('master.m3u8', '720p/4.iframe.m4s')));
      },
    ];
    for (let k = 0; k < steps.length; k++) {
      await steps[(k + i) % steps.length]!();
      await idle(node);
    }
  }
  return {
    segmentP50: percentile(segment, 50),
    thumbnailP50: percentile(thumbnail, 50),
    iframeP50: percentile(iframe, 50),
  };
}

/** The 720p MP4 download of a fresh revision: time to its first byte and to its last. */
async function download(node: OriginProcess, source: string) {
  const firstByte: number[] = [];
  const whole: number[] = [];
  let bytes = 0;
  for (let i = 0; i < Math.min(RUNS, 3); i++) {
    const minted = (await freshRevision(node, source)) as unknown as { revisionId: string };
    const t0 = performance.now();
    const res = await node.fetch(`/play/${minted.revisionId}/download/720p.mp4`);
    if (res.status !== 200 || !res.body) throw new Error(`download: ${res.status}`);
    const reader = res.body.getReader();
    let first: number | undefined;
    bytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      first ??= performance.now() - t0;
      bytes += value.length;
    }
    firstByte.push(first!);
    whole.push(performance.now() - t0);
    await idle(node);
  }
  return { firstByteP50: percentile(firstByte, 50), wholeP50: percentile(whole, 50), megabytes: bytes / 1e6 };
}

/** The whole storyboard of a fresh revision of `source`: every sheet, one after another. */
async function storyboard(node: OriginProcess, source: string) {
  const times: number[] = [];
  let sheets = 0;
  for (let i = 0; i < Math.min(RUNS, 3); i++) {
    const minted = (await freshRevision(node, source)) as unknown as { storyboardJson: string };
    const json = (await (await node.fetch(minted.storyboardJson)).json()) as { tiles: Array<{ url: string }> };
    const urls = [...new Set(json.tiles.map((t) => t.url))];
    const base = minted.storyboardJson.replace('storyboard.json', '');
    const t0 = performance.now();
    for (const url of urls) await fetchOk(node, base + url);
    times.push(performance.now() - t0);
    sheets = urls.length;
    await idle(node);
  }
  return { ms: percentile(times, 50), sheets };
}

export async function stillsBench() {
  const source = benchSource(60);
  const env = {
    MEDIA_ROOT: cacheDir,
    REVISION_SECRET: 'bench-secret-0123456789',
    LOOKAHEAD_SEGMENTS: '0',
    PREWARM_ON_MINT: 'false',
  };
  const pictures = await withOrigin(env, (node) => thumbnailAgainstSegment(node, source));
  const boards = await withOrigin(env, async (node) => ({
    short: await storyboard(node, source),
    long: await storyboard(node, benchSource(600)),
  }));
  // With lookahead, as in production: the download asks for segments in order and lookahead makes the next.
  const file = await withOrigin({ ...env, LOOKAHEAD_SEGMENTS: '2' }, (node) => download(node, source));
  return { runs: RUNS, pictures, boards, file };
}

export function printStills(r: Awaited<ReturnType<typeof stillsBench>>): void {
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  console.log(`Beyond playback, 1-minute 1080p source, cold (a new revision each run), p50 of ${r.runs}:`);
  console.log(`  360p segment 4 (4.27 s), the reference:      ${ms(r.pictures.segmentP50).padStart(7)}`);
  console.log(
    `  thumbnail 320 wide at 14.9 s (in segment 4):  ${ms(r.pictures.thumbnailP50).padStart(7)}   ${(r.pictures.thumbnailP50 / r.pictures.segmentP50).toFixed(2)}× the segment`,
  );
  console.log(
    `  720p I-frame segment of segment 4:            ${ms(r.pictures.iframeP50).padStart(7)}   ${(r.pictures.iframeP50 / r.pictures.segmentP50).toFixed(2)}× the segment`,
  );
  for (const [name, b] of [
    ['1-minute', r.boards.short],
    ['10-minute', r.boards.long],
  ] as const)
    console.log(
      `  whole storyboard of the ${name} source (${b.sheets} sheet${b.sheets > 1 ? 's' : ''}): ${ms(b.ms).padStart(7)}   ${(b.ms / r.pictures.segmentP50).toFixed(2)}× the segment`,
    );
  console.log(
    `  MP4 download, 720p, 60 s (${r.file.megabytes.toFixed(1)} MB): first byte ${ms(r.file.firstByteP50)}, whole file ${ms(r.file.wholeP50)} (${(60_000 / r.file.wholeP50).toFixed(1)}× real time)`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) printStills(await stillsBench());
