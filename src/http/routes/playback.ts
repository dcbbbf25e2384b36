import { Hono } from 'hono';
import { ErrorCode, OriginError } from '../../errors.js';
import type { Artifact, PlaybackService } from '../../services/playback-service.js';
import { sendArtifact } from '../send-artifact.js';

/** Where a revision plays: HLS and DASH over the same segments. */
export function playbackPaths(revisionId: string): { hls: string; dash: string } {
  return { hls: `/play/${revisionId}/master.m3u8`, dash: `/play/${revisionId}/manifest.mpd` };
}

const RENDITION = /^[a-z0-9]{1,16}$/;

function renditionOf(name: string): string {
  if (!RENDITION.test(name)) throw new OriginError(ErrorCode.NotFound, `no rendition ${JSON.stringify(name)}`);
  return name;
}

/**
 * Segment number from "12.m4s"; 400 for anything that is not the canonical decimal index — "012.m4s"
 * would be segment 12 under a second URL, a second CDN cache entry and a second job.
 */
function segmentIndex(file: string): number {
  const m = /^(0|[1-9]\d{0,8})\.m4s$/.exec(file);
  if (!m) throw new OriginError(ErrorCode.BadPath, `${JSON.stringify(file)} is not a segment name like 0.m4s`);
  return Number(m[1]);
}

/**
 * Playback paths (players, through the CDN). Each route parses its path, asks the playback service,
 * and sends immutable bytes; GET routes answer HEAD too.
 */
export function playbackRoutes(playback: PlaybackService, options: { cacheMaxAge: number }): Hono {
  const app = new Hono();
  const immutable = `public, max-age=${options.cacheMaxAge}, immutable`;
  const send = (request: Request, artifact: Artifact) => sendArtifact(request, artifact, immutable);

  app.get('/:id/:file', async (c) => {
    const { id, file } = c.req.param();
    if (file === 'master.m3u8') return send(c.req.raw, await playback.masterPlaylist(id));
    if (file === 'manifest.mpd') return send(c.req.raw, await playback.dashManifest(id));
    const m = /^(.+)\.m3u8$/.exec(file);
    if (!m) throw new OriginError(ErrorCode.NotFound, `no file ${JSON.stringify(file)}`);
    return send(c.req.raw, await playback.mediaPlaylist(id, renditionOf(m[1]!)));
  });

  app.get('/:id/:rendition/:file', async (c) => {
    const { id, rendition, file } = c.req.param();
    if (file === 'init.mp4') return send(c.req.raw, await playback.initSegment(id, renditionOf(rendition)));
    return send(c.req.raw, await playback.mediaSegment(id, renditionOf(rendition), segmentIndex(file)));
  });

  return app;
}
