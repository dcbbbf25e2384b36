import { Hono, type Context } from 'hono';
import { parsePlaybackPath, type ArtifactKind, type PlaybackTargetOf } from '../../core/manifests/playback-urls.js';
import { OriginError } from '../../errors.js';
import type { Artifact } from '../../services/artifact.js';
import type { PlaybackService } from '../../services/playback-service.js';
import type { Edge } from '../edge.js';
import { sendArtifact, sendDownload } from '../send-artifact.js';
import type { Download, Downloads } from '../../services/downloads.js';

/** Where each kind of artifact comes from; a kind added to the URL grammar needs its line here. */
type Sources = {
  [K in ArtifactKind]: (target: PlaybackTargetOf<K>, signal: AbortSignal) => Promise<Artifact | Download>;
};

function sources(playback: PlaybackService, downloads: Downloads): Sources {
  return {
    master: (t) => playback.masterPlaylist(t.revisionId),
    manifest: (t) => playback.dashManifest(t.revisionId),
    playlist: (t) => playback.mediaPlaylist(t.revisionId, t.rendition),
    init: (t) => playback.initSegment(t.revisionId, t.rendition),
    segment: (t, signal) => playback.mediaSegment(t.revisionId, t.rendition, t.index, signal),
    iframes: (t) => playback.iFramePlaylist(t.revisionId, t.rendition),
    iframe: (t) => playback.iFrameSegment(t.revisionId, t.rendition, t.index),
    poster: (t) => playback.poster(t.revisionId, t.kind),
    posterWebp: (t) => playback.poster(t.revisionId, t.kind),
    thumbnail: (t) => playback.thumbnail(t.revisionId, t.kind, t.width, t.time),
    thumbnailWebp: (t) => playback.thumbnail(t.revisionId, t.kind, t.width, t.time),
    storyboard: (t) => playback.storyboard(t.revisionId, t.kind),
    storyboardJson: (t) => playback.storyboard(t.revisionId, t.kind),
    storyboardSheet: (t) => playback.storyboardSheet(t.revisionId, t.index),
    download: (t) => downloads.mp4(t.revisionId),
    downloadRendition: (t) => downloads.mp4(t.revisionId, t.rendition),
    downloadAudio: (t) => downloads.m4a(t.revisionId),
  };
}

/** The artifact a target names, from the source of its kind. */
function artifactOf<K extends ArtifactKind>(
  from: Sources,
  target: PlaybackTargetOf<K>,
  signal: AbortSignal,
): Promise<Artifact | Download> {
  return from[target.kind](target, signal);
}

/**
 * Playback paths (players, through the CDN). Each route parses its path with the URL grammar
 * (core/manifests/playback-urls.ts), asks the playback service, and sends immutable bytes; GET routes answer
 * HEAD too.
 */
export function playbackRoutes(
  playback: PlaybackService,
  downloads: Downloads,
  options: { cacheMaxAge: number },
): Hono<Edge> {
  const app = new Hono<Edge>();
  const immutable = `public, max-age=${options.cacheMaxAge}, immutable`;
  const from = sources(playback, downloads);
  const answer = async (c: Context<Edge>, parts: string[]) => {
    const target = parsePlaybackPath(parts);
    if ('error' in target) throw new OriginError(target.error, target.message);
    // Aborted when the client goes away before the answer: a segment's job then stops taking the machine.
    const made = await artifactOf(from, target, c.req.raw.signal);
    return 'chunks' in made
      ? sendDownload(c, target.kind, made, immutable)
      : sendArtifact(c, target.kind, made, immutable);
  };

  app.get('/:id/:file', (c) => answer(c, [c.req.param('id'), c.req.param('file')]));
  app.get('/:id/:rendition/:file', (c) => {
    const { id, rendition, file } = c.req.param();
    return answer(c, [id, rendition, file]);
  });
  app.get('/:id/:dir/:sub/:file', (c) => {
    const { id, dir, sub, file } = c.req.param();
    return answer(c, [id, dir, sub, file]);
  });

  return app;
}
