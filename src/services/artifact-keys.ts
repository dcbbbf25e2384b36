import { artifactName, type ArtifactKind, type ParamsArg } from '../core/manifests/playback-urls.js';

/**
 * The key of a revision's artifact in every cache, job queue and log line: its name under the
 * revision's path, from the URL grammar (`<revision>/master.m3u8`, `<revision>/720p/3.m4s`), so
 * every part of the origin names the same thing the same way, and the way players do.
 */
export function artifactKey<K extends ArtifactKind>(revisionId: string, kind: K, ...params: ParamsArg<K>): string {
  return `${revisionId}/${artifactName(kind, ...params)}`;
}
