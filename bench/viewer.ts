/**
 * One simulated viewer, fetching like hls.js does: master playlist, the start rendition's first segment
 * with the audio's, then the rendition it wants from segment 1 on, video and audio each in its own loop,
 * keeping up to 30 s buffered, and playing in real time. It records what a person would notice: time to
 * first frame, stalls (the playhead reaching media not downloaded yet) and how long a seek takes.
 */
import { variantIds } from './lib.js';

export interface ViewerOptions {
  baseUrl: string;
  /** Path of the revision's master playlist. */
  hls: string;
  /** The rendition to move to after the first segment (e.g. "720p"); the start rendition if absent. */
  rendition?: string;
  /** Seconds of media to watch (from the start, or from the seek target). */
  watchSeconds: number;
  /** Seek once, this many seconds after playback starts, to this fraction of the duration. */
  seek?: { afterSeconds: number; to: number };
  /** hls.js's maxBufferLength. */
  bufferSeconds?: number;
}

export interface ViewerResult {
  /** Master playlist request → the first video and audio segments downloaded. */
  ttfsMs: number;
  stalls: number;
  stallSeconds: number;
  /** Seek → the segments at the new position downloaded (playing again). */
  seekMs?: number;
  /** Non-2xx responses (each retried after 500 ms, as a player would). */
  errors: string[];
  /** Seconds of media played. */
  watched: number;
  /** Each stall: what the playhead waited for, how long that request took, and its Server-Timing. */
  stallLog: string[];
  /** Paths of the segments downloaded (relative to the revision: `720p/3.m4s`). */
  fetched: string[];
  /** Seconds of video downloaded (what the origin had to make for this viewer). */
  fetchedSeconds: number;
}

interface Track {
  kind: string;
  playlist: number[];
  /** Segment start times (s). */
  starts: number[];
  next: number;
  /** Downloaded up to here (s), contiguous from the playhead. */
  end: number;
}

const TICK_MS = 50;

function parseMedia(text: string): { durations: number[]; uris: string[] } {
  const durations: number[] = [];
  const uris: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#EXTINF:')) durations.push(Number(line.slice(8).split(',')[0]));
    else if (line && !line.startsWith('#')) uris.push(line);
  }
  return { durations, uris };
}

export async function watch(options: ViewerOptions): Promise<ViewerResult> {
  const { baseUrl, hls } = options;
  const bufferSeconds = options.bufferSeconds ?? 30;
  const base = hls.replace(/\/master\.m3u8$/, '');
  const errors: string[] = [];
  /** When the viewer sought (performance.now()), if it has. */
  let seekAt: number | undefined;
  /** Aborted at a seek: hls.js drops the loads it no longer needs. */
  let loads = new AbortController();
  const get = async (path: string, signal?: AbortSignal): Promise<Response> => {
    for (;;) {
      const res = await fetch(baseUrl + path, { signal });
      if (res.ok) return res;
      errors.push(`${res.status} ${path.replace(base, '')}`);
      await res.arrayBuffer();
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  /** The last request of each track: when it was made and what the origin said about it. */
  const inflight = new Map<string, { path: string; at: number }>();
  const answered = new Map<string, string>();
  const fetched: string[] = [];
  const bytes = async (path: string, kind?: string, signal?: AbortSignal) => {
    const at = performance.now();
    if (kind) inflight.set(kind, { path, at });
    const res = await get(path, signal);
    const body = await res.arrayBuffer();
    fetched.push(path.slice(base.length + 1));
    const since = seekAt === undefined ? '' : ` asked ${((at - seekAt) / 1000).toFixed(2)} s after the seek,`;
    answered.set(
      path,
      `${since} took ${((performance.now() - at) / 1000).toFixed(2)} s [${res.headers.get('x-origin-cache')} ${res.headers.get('server-timing') ?? ''}]`,
    );
    return body;
  };

  const t0 = performance.now();
  const master = await (await get(hls)).text();
  const variants = variantIds(master);
  const start = variants[0]!;
  const wanted = options.rendition && variants.includes(options.rendition) ? options.rendition : start;
  const hasAudio = master.includes('TYPE=AUDIO');
  const [videoList, audioList] = await Promise.all([
    get(`${base}/${start}.m3u8`).then((r) => r.text()),
    hasAudio ? get(`${base}/audio.m3u8`).then((r) => r.text()) : undefined,
  ]);
  const track = (kind: string, text: string): Track => {
    const { durations } = parseMedia(text);
    const starts = durations.map((_, i) => durations.slice(0, i).reduce((a, b) => a + b, 0));
    return { kind, playlist: durations, starts, next: 0, end: 0 };
  };
  const video = track('video', videoList);
  const audio = audioList ? track('audio', audioList) : undefined;
  const duration = video.starts.at(-1)! + video.playlist.at(-1)!;
  const tracks = [video, ...(audio ? [audio] : [])];

  // First segments: the start rendition's and the audio's, with their init segments.
  await Promise.all([
    bytes(`${base}/${start}/init.mp4`),
    bytes(`${base}/${start}/0.m4s`),
    ...(audio ? [bytes(`${base}/audio/init.mp4`), bytes(`${base}/audio/0.m4s`)] : []),
  ]);
  const ttfsMs = performance.now() - t0;
  for (const t of tracks) [t.next, t.end] = [1, t.playlist[0]!];
  if (wanted !== start) await Promise.all([bytes(`${base}/${wanted}.m3u8`), bytes(`${base}/${wanted}/init.mp4`)]);

  let playhead = 0;
  /** Where watching started: 0, or the seek target. */
  let from = 0;
  let stalled = false;
  let stalls = 0;
  let stallSeconds = 0;
  const stallLog: string[] = [];
  let waitedFor: string[] = [];
  let seekPaths: string[] = [];
  let watched = 0;
  let seekMs: number | undefined;
  let epoch = 0;
  let done = false;
  const stopAt = () => Math.min(duration, from + options.watchSeconds);

  const loop = async (t: Track, path: (i: number) => string) => {
    while (!done) {
      if (t.next >= t.playlist.length || t.end - playhead >= bufferSeconds) {
        await new Promise((r) => setTimeout(r, TICK_MS));
        continue;
      }
      const mine = epoch;
      const i = t.next;
      // A seek while this is loading makes it useless: it is aborted.
      const loaded = await bytes(path(i), t.kind, loads.signal).catch((err: unknown) => {
        if (mine === epoch) throw err;
      });
      if (mine !== epoch || !loaded) continue;
      t.next = i + 1;
      t.end = t.starts[i]! + t.playlist[i]!;
    }
  };
  const loaders = [
    loop(video, (i) => `${base}/${wanted}/${i}.m4s`),
    ...(audio ? [loop(audio, (i) => `${base}/audio/${i}.m4s`)] : []),
  ];

  // Playback: the playhead moves in real time while every track has media at it.
  let last = performance.now();
  let playStart = last;
  while (playhead < stopAt() - 1e-6) {
    await new Promise((r) => setTimeout(r, TICK_MS));
    const now = performance.now();
    const dt = (now - last) / 1000;
    last = now;
    if (options.seek && seekAt === undefined && (now - playStart) / 1000 >= options.seek.afterSeconds) {
      // Seek: jump, drop the buffer, load from the segment at the target.
      const target = duration * options.seek.to;
      epoch += 1;
      loads.abort();
      loads = new AbortController();
      seekAt = now;
      playhead = from = target;
      for (const t of tracks) {
        // The segment the target is in; a target on a boundary (to float precision) is the next one's start.
        const i = Math.max(0, t.starts.filter((s) => s <= target + 1e-6).length - 1);
        [t.next, t.end] = [i, t.starts[i]!];
      }
      seekPaths = tracks.map((t) =>
        t.kind === 'video' ? `${base}/${wanted}/${t.next}.m4s` : `${base}/audio/${t.next}.m4s`,
      );
      stalled = false;
      continue;
    }
    const ready = Math.min(...tracks.map((t) => t.end));
    if (ready > playhead + 1e-6) {
      if (seekAt !== undefined && seekMs === undefined) {
        seekMs = now - seekAt;
        playStart = now;
        stallLog.push(`seek: ${seekPaths.map((p) => `${p.replace(base, '')} ${answered.get(p) ?? '?'}`).join('; ')}`);
      }
      if (stalled) {
        stalled = false;
        stallLog[stallLog.length - 1] += ` → ${waitedFor.map((p) => answered.get(p) ?? '?').join('; ')}`;
      }
      const next = Math.min(ready, playhead + dt, stopAt());
      watched += next - playhead;
      playhead = next;
    } else if (seekAt === undefined || seekMs !== undefined) {
      if (!stalled) {
        stalls += 1;
        const short = tracks.filter((t) => t.end <= playhead + 1e-6).map((t) => t.kind);
        const requests = short.map((k) => inflight.get(k)).filter((r) => r !== undefined);
        waitedFor = requests.map((r) => r.path);
        const waiting = requests.map(
          (r) => `${r.path.replace(base, '')} asked ${((now - r.at) / 1000).toFixed(1)} s ago`,
        );
        stallLog.push(`at ${playhead.toFixed(1)} s: ${waiting.join(', ')}`);
      }
      stalled = true;
      stallSeconds += dt;
    }
  }
  done = true;
  await Promise.all(loaders);
  const fetchedSeconds = fetched
    .filter((p) => /^[^/]+p\/\d+\.m4s$/.test(p))
    .reduce((n, p) => n + video.playlist[Number(p.split('/')[1]!.split('.')[0])]!, 0);
  return { ttfsMs, stalls, stallSeconds, seekMs, errors, watched, stallLog, fetched, fetchedSeconds };
}
