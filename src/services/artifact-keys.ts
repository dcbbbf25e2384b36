/**
 * Keys of everything cached per revision (artifacts, init segments, single-flight jobs, pool jobs), in
 * one place so every cache and queue names the same thing the same way.
 */
export const artifactKeys = {
  /** A playlist or manifest by file name: `master`, `720p.m3u8`, `manifest.mpd`. */
  playlist: (revisionId: string, name: string) => `${revisionId}/${name}`,
  /** A rendition's init segment. */
  init: (revisionId: string, renditionId: string) => `${revisionId}/${renditionId}/init`,
  /** Media segment `index` of a rendition. */
  segment: (revisionId: string, renditionId: string, index: number) => `${revisionId}/${renditionId}/${index}`,
};
