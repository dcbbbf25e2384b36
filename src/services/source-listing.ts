import type { ObjectStore } from '../stores/object-store.js';

/** What a listed object can be in an edit: a clip's source, or an image overlay's picture. */
export type SourceKind = 'media' | 'image';

export interface ListedSource {
  key: string;
  kind: SourceKind;
}

export interface SourceList {
  sources: ListedSource[];
  /** True when the store holds more than were looked at or listed. */
  truncated: boolean;
}

const MEDIA = new Set(['mp4', 'm4v', 'mov', 'webm', 'mkv', 'ts', 'mpd', 'm3u8']);
const IMAGES = new Set(['png', 'jpg', 'jpeg', 'webp']);
const MANIFESTS = new Set(['mpd', 'm3u8']);

const extension = (key: string) => /\.([^./]+)$/.exec(key)?.[1]?.toLowerCase() ?? '';
const folderOf = (key: string) => key.slice(0, Math.max(0, key.lastIndexOf('/')));

/**
 * The keys a person would pick in an edit, by extension: media and images. In a folder that holds a
 * chunked recording's manifest (`.mpd`, `.m3u8`), only manifests and images are kept — its chunks are
 * parts of the recording, not recordings. At most `limit`, in key order.
 */
export function pickSources(keys: readonly string[], limit: number): SourceList {
  const manifestFolders = new Set(keys.filter((k) => MANIFESTS.has(extension(k))).map(folderOf));
  const sources: ListedSource[] = [];
  for (const key of keys) {
    const ext = extension(key);
    const kind: SourceKind | undefined = MEDIA.has(ext) ? 'media' : IMAGES.has(ext) ? 'image' : undefined;
    if (!kind || (kind === 'media' && !MANIFESTS.has(ext) && manifestFolders.has(folderOf(key)))) continue;
    if (sources.length === limit) return { sources, truncated: true };
    sources.push({ key, kind });
  }
  return { sources, truncated: false };
}

/**
 * The playground's source list: a bounded look at the store (`scanKeys` objects at most), filtered by
 * `pickSources` to `limit` entries.
 */
export async function listSources(
  objects: ObjectStore,
  { scanKeys, limit }: { scanKeys: number; limit: number },
): Promise<SourceList> {
  const listing = await objects.list(scanKeys);
  const picked = pickSources(listing.keys, limit);
  return { sources: picked.sources, truncated: picked.truncated || listing.truncated };
}
