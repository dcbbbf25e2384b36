import type { Plan } from '../core/plan.js';
import { ErrorCode, OriginError, isTransient } from '../errors.js';
import type { Logger } from '../logger.js';
import { downloadFragments, downloadInit } from '../media/mp4/download.js';
import type { Artifact } from './artifact.js';
import type { PlaybackService } from './playback-service.js';
import type { Revisions } from './revisions.js';

/** A file made as it is sent: its headers are known at once, its bytes come segment by segment. */
export interface Download {
  filename: string;
  contentType: string;
  /** Strong: the same revision and rendition always make the same bytes. */
  etag: string;
  chunks: AsyncIterable<Buffer>;
}

export interface DownloadsDeps {
  revisions: Pick<Revisions, 'plan'>;
  playback: Pick<PlaybackService, 'initSegment' | 'mediaSegment'>;
  logger: Logger;
}

/** Times a segment the download waits for is asked again after a retryable failure (its job goes on). */
const SEGMENT_ATTEMPTS = 3;

/**
 * Downloads: the whole edited revision as one file, MP4 (H.264 + AAC) or M4A (AAC), laid out from the
 * segments players get (media/mp4/download.ts). The download asks for them in order as a player would,
 * so each is a player's job or a cache hit, lookahead makes the next ones meanwhile, and no job slot is
 * held longer than one segment. The first segment is in hand before the headers are sent, so a bad
 * request or a broken source is an error status, not a truncated file.
 */
export class Downloads {
  constructor(private readonly deps: DownloadsDeps) {}

  /** The revision as an MP4 file of one video rendition (the top one by default) and the audio. */
  async mp4(revisionId: string, renditionId?: string): Promise<Download> {
    const plan = await this.deps.revisions.plan(revisionId);
    const rendition = renditionId ? plan.video.find((r) => r.id === renditionId) : plan.video[0];
    if (!rendition)
      throw new OriginError(ErrorCode.NotFound, `no rendition ${JSON.stringify(renditionId)} in this revision`);
    const tracks = [rendition.id, ...(plan.audio ? [plan.audio.id] : [])];
    return this.#file(plan, tracks, `${plan.revisionId}-${rendition.id}.mp4`, 'video/mp4');
  }

  /** The revision's sound as an M4A file. */
  async m4a(revisionId: string): Promise<Download> {
    const plan = await this.deps.revisions.plan(revisionId);
    if (!plan.audio) throw new OriginError(ErrorCode.NotFound, 'this revision has no audio');
    return this.#file(plan, [plan.audio.id], `${plan.revisionId}.m4a`, 'audio/mp4');
  }

  /** The file of these renditions' tracks (numbered 1, 2… in this order), from their init and media segments. */
  async #file(plan: Plan, tracks: readonly string[], filename: string, contentType: string): Promise<Download> {
    const count = plan.grid.segments.length;
    const ask = (artifact: (rendition: string) => Promise<Artifact>) =>
      Promise.all(tracks.map((rendition) => this.#get(() => artifact(rendition))));
    const segmentsOf = (index: number) =>
      ask((rendition) => this.deps.playback.mediaSegment(plan.revisionId, rendition, index));
    const init = downloadInit(await ask((r) => this.deps.playback.initSegment(plan.revisionId, r)), plan.duration);
    const first = await segmentsOf(0);
    const { logger } = this.deps;
    const body = async function* () {
      let sequence = 1;
      const fragments = (media: Buffer[]) =>
        media.map((bytes, i) => {
          const out = downloadFragments(bytes, i + 1, sequence);
          sequence = out.next;
          return out.bytes;
        });
      yield init;
      yield* fragments(first);
      for (let index = 1; index < count; index++) {
        try {
          yield* fragments(await segmentsOf(index));
        } catch (err) {
          // The status is sent: the client sees the file end early (no terminating chunk), never a whole one.
          logger.warn('download cut short', { file: filename, index, err });
          throw err;
        }
      }
    };
    return {
      filename,
      contentType,
      etag: `"${filename}-v1"`,
      chunks: body(),
    };
  }

  /** An artifact's bytes, asked again after a retryable failure (its job goes on, and is joined). */
  async #get(ask: () => Promise<Artifact>): Promise<Buffer> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await ask()).body;
      } catch (err) {
        if (attempt >= SEGMENT_ATTEMPTS || !(err instanceof OriginError) || !isTransient(err.code)) throw err;
      }
    }
  }
}
