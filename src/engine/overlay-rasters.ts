import { createHash } from 'node:crypto';
import type { VideoRendition } from '../core/ladder.js';
import { LIMITS } from '../core/limits.js';
import type { PlannedOverlay } from '../core/overlays.js';
import { canonicalJson } from '../core/revision.js';
import type { ImageInfo } from '../core/types.js';
import { ErrorCode, OriginError, isTransient } from '../errors.js';
import { rasterDrawing, rasterImage, rasterText, type Raster } from '../media/overlay-raster.js';
import type { FfmpegContext } from '../media/video-segment.js';
import type { ObjectStore } from '../stores/object-store.js';
import { ByteLru } from './byte-lru.js';
import { SingleFlight } from './single-flight.js';

export interface OverlayRastersOptions {
  objects: ObjectStore;
  /** Budget of the rasters kept in memory, in bytes of PNG. */
  maxBytes: number;
}

/**
 * Overlays as transparent pictures at each rendition's size, made once and kept (in memory, LRU by
 * bytes): a segment run only composites them. Keyed by what the picture depends on — the overlay,
 * the rendition's size and, for an image, its ETag — so revisions that share an overlay share its
 * rasters. An image is read through the object store and re-checked against what was minted.
 */
export class OverlayRasters {
  readonly #rasters: ByteLru<Raster | null>;
  readonly #flights = new SingleFlight<Raster | null>();

  constructor(private readonly options: OverlayRastersOptions) {
    this.#rasters = new ByteLru(options.maxBytes);
  }

  /** The raster of `planned` for `rendition`; undefined when it draws nothing on the canvas. */
  async get(ctx: FfmpegContext, planned: PlannedOverlay, rendition: VideoRendition): Promise<Raster | undefined> {
    const { overlay, image } = planned;
    const { width, height } = rendition;
    const key = createHash('sha256')
      .update(`${width}x${height}\n${image?.etag ?? ''}\n${canonicalJson(overlay)}`)
      .digest('base64url');
    const kept = this.#rasters.get(key);
    if (kept !== undefined) return kept ?? undefined;
    const raster = await this.#flights.run(key, async () => {
      let made: Raster | undefined;
      if (overlay.kind === 'text') made = await rasterText(overlay, width, height);
      else if (overlay.kind === 'drawing') made = await rasterDrawing(overlay, width, height);
      else made = await rasterImage(ctx, overlay, image!, await this.#imageBytes(image!), width, height);
      this.#rasters.set(key, made ?? null, made?.png.length ?? 1);
      return made ?? null;
    });
    return raster ?? undefined;
  }

  /** An image's bytes, as long as it is still what the revision was minted with (else `source_changed`). */
  async #imageBytes(image: ImageInfo): Promise<Buffer> {
    const changed = () => new OriginError(ErrorCode.SourceChanged, `the image ${JSON.stringify(image.key)} changed after this revision was minted; mint it again`);
    const now = await this.options.objects.stat(image.key);
    if (now?.etag !== image.etag) throw changed();
    const bytes = await this.options.objects.read(image.key, LIMITS.imageBytes).catch((err: unknown) => {
      // Gone, grown past the limit, or no longer a file since the stat: changed all the same.
      if (err instanceof OriginError && isTransient(err.code)) throw err;
      throw changed();
    });
    if (bytes.length !== image.size) throw changed();
    return bytes;
  }
}
