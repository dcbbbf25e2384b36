import { createHash } from 'node:crypto';
import type { VideoRendition } from '../core/picture/ladder.js';
import { LIMITS } from '../core/edits/limits.js';
import type { PlannedOverlay } from '../core/edits/overlays.js';
import { canonicalJson } from '../core/edits/revision.js';
import type { ImageInfo } from '../core/picture/image-header.js';
import { ErrorCode, OriginError, isTransient } from '../errors.js';
import { imagePicture, rasterDrawing, rasterText, type OverlayPicture } from '../media/video/overlay-raster.js';
import type { ObjectStore } from '../stores/object-store.js';
import { CachedJobs, type Made } from './cached-jobs.js';

export interface OverlayPicturesOptions {
  objects: ObjectStore;
  /** Throws `source_changed` when an image is no longer what the revision was minted with (Sources.verify). */
  verify: (image: ImageInfo) => Promise<void>;
  /** Budget of the pictures (rasterised text and drawings) and image bytes kept in memory. */
  maxBytes: number;
}

/**
 * Overlays as pictures for each rendition: text and drawings rasterised once per rendition size and
 * kept (in memory, LRU by bytes), so a segment run only composites them; an image's bytes read once
 * per ETag and kept, and scaled in the segment's run. Keyed by what the picture depends on — the
 * overlay and the rendition's size, or the image's key and ETag — so revisions that share an overlay
 * share its work. An image is re-checked against what was minted before each use.
 */
export class OverlayPictures {
  readonly #kept: CachedJobs<OverlayPicture | Buffer | null>;

  constructor(private readonly options: OverlayPicturesOptions) {
    this.#kept = new CachedJobs({ budget: options.maxBytes });
  }

  /** The picture of `planned` for a canvas of `rendition`'s size; undefined when it draws nothing on it. */
  async get(
    planned: PlannedOverlay,
    rendition: Pick<VideoRendition, 'width' | 'height'>,
  ): Promise<OverlayPicture | undefined> {
    const { overlay, image } = planned;
    const { width, height } = rendition;
    if (overlay.kind === 'image') return imagePicture(overlay, image!, await this.#imageBytes(image!), width, height);
    const key = createHash('sha256')
      .update(`${width}x${height}\n${canonicalJson(overlay)}`)
      .digest('base64url');
    const picture = await this.#once(key, async () => {
      const made =
        overlay.kind === 'text'
          ? await rasterText(overlay, width, height)
          : await rasterDrawing(overlay, width, height);
      return { value: made ?? null, size: made?.bytes.length ?? 1 };
    });
    return (picture as OverlayPicture | null) ?? undefined;
  }

  /** A value from memory, or made once however many ask at the same time. */
  async #once(key: string, make: () => Promise<Made<OverlayPicture | Buffer | null, undefined>>) {
    return (await this.#kept.take(key, make)).value;
  }

  /** An image's bytes, as long as it is still what the revision was minted with (else `source_changed`). */
  async #imageBytes(image: ImageInfo): Promise<Buffer> {
    const changed = () =>
      new OriginError(
        ErrorCode.SourceChanged,
        `the image ${JSON.stringify(image.key)} changed after this revision was minted; mint it again`,
      );
    await this.options.verify(image);
    const bytes = await this.#once(`image\n${image.key}\n${image.etag}`, async () => {
      const read = await this.options.objects.read(image.key, LIMITS.imageBytes).catch((err: unknown) => {
        // Gone, grown past the limit, or no longer a file since the check: changed all the same.
        if (err instanceof OriginError && isTransient(err.code)) throw err;
        throw changed();
      });
      if (read.length !== image.size) throw changed();
      return { value: read, size: read.length };
    });
    return bytes as Buffer;
  }
}
