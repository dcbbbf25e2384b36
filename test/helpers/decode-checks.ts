import { expect } from 'vitest';
import { downloader, parsePlaylist } from './hls-download.js';
import { countDecodedFrames, decodedFrames, largestGap, packets } from './media-analysis.js';
import type { RunningOrigin } from './origin-server.js';

/**
 * Downloads every rendition of a minted revision and decodes it: frame count = duration × fps (±1),
 * no gap over 1.5 frames, the declared size, a keyframe at every EXTINF start, BANDWIDTH ≥ the peak
 * segment bitrate, TARGETDURATION rules, continuous audio starting with the video, and ffmpeg's HLS
 * demuxer decoding the start rendition over HTTP. Returns the start rendition's concatenated file.
 */
export async function expectSeamlessHls(
  server: RunningOrigin,
  minted: { hls: string; duration: number },
  { fps, audio, dir }: { fps: number; audio: boolean; dir: string },
): Promise<{ files: Record<string, string> }> {
  const base = minted.hls.replace(/\/master\.m3u8$/, '');
  const { download, text } = downloader(server);
  const master = parsePlaylist(await text(minted.hls));
  const files: Record<string, string> = {};
  const audioTrack = audio ? await download(base, 'audio', dir) : undefined;
  let videoStart = 0;
  for (const variant of master.playlists!) {
    const id = variant.uri.replace(/\.m3u8$/, '');
    const { playlist, whole, singles, sizes } = await download(base, id, dir);
    files[id] = whole;
    const duration = playlist.segments.reduce((t, s) => t + s.duration, 0);
    expect(duration).toBeCloseTo(minted.duration, 3);

    // TARGETDURATION: an integer at or above every rounded EXTINF (RFC 8216 §4.3.3.1).
    expect(Number.isInteger(playlist.targetDuration)).toBe(true);
    for (const s of playlist.segments) expect(Math.round(s.duration)).toBeLessThanOrEqual(playlist.targetDuration!);

    // Decoded: frame count = duration × fps (±1), no gap over 1.5 frame durations, the declared size.
    const frames = await decodedFrames(whole);
    expect(Math.abs(frames.length - duration * fps)).toBeLessThanOrEqual(1);
    expect(largestGap(frames, false)).toBeLessThanOrEqual(1.5 / fps);
    const size = variant.attributes.RESOLUTION!;
    for (const f of frames) expect([f.width, f.height]).toEqual([size.width, size.height]);
    videoStart = frames[0]!.pts;
    expect(videoStart).toBeCloseTo(0, 3);

    // Every segment starts with a keyframe at its EXTINF start.
    let start = 0;
    for (const [i, single] of singles.entries()) {
      const first = (await packets(single, 'v'))[0]!;
      expect(first.keyframe, `segment ${i} of ${id} starts with a keyframe`).toBe(true);
      expect(first.pts).toBeCloseTo(start, 3);
      start += playlist.segments[i]!.duration;
    }

    // BANDWIDTH ≥ the peak segment bitrate (video plus the audio segment beside it).
    const peak = Math.max(
      ...sizes.map((bytesOf, i) => ((bytesOf + (audioTrack?.sizes[i] ?? 0)) * 8) / playlist.segments[i]!.duration),
    );
    expect(variant.attributes.BANDWIDTH).toBeGreaterThanOrEqual(peak);
  }

  if (audioTrack) {
    const audioPackets = await packets(audioTrack.whole, 'a');
    // Continuous: no hole or overlap over 1.5 ms anywhere, including across segment joins.
    expect(largestGap(audioPackets, true)).toBeLessThanOrEqual(0.0015);
    expect(Math.abs(audioPackets[0]!.pts - videoStart)).toBeLessThanOrEqual(0.025);
    const audioEnd = audioPackets.at(-1)!.pts + 1024 / 48000;
    expect(audioPackets.length).toBe(Math.ceil((minted.duration * 48000) / 1024));
    expect(audioEnd).toBeGreaterThanOrEqual(minted.duration - 0.001);
    expect(audioEnd - minted.duration).toBeLessThan(1024 / 48000);
  }

  // ffmpeg's own HLS demuxer plays the start rendition through HTTP to the last frame.
  const startUri = master.playlists![0]!.uri;
  expect(await countDecodedFrames(`${server.baseUrl}${base}/${startUri}`, 'v')).toBe(Math.round(minted.duration * fps));
  return { files };
}
