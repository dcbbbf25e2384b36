import { IMAGE_DEMUXERS, imageHeader } from '../../core/picture/image-header.js';
import { LIMITS } from '../../core/edits/limits.js';
import type { ImageInfo } from '../../core/picture/image-header.js';
import { ErrorCode, OriginError, UnusableSourceError } from '../../errors.js';
import type { ObjectStore } from '../../stores/object-store.js';
import type { Lru } from '../../util/lru.js';
import type { ProbeTools } from './probe.js';

/**
 * Checks an image overlay's picture at mint time: it exists, is a PNG, JPEG or WebP by its bytes
 * (never by its name), its size is within the limits by its header, and ffprobe decodes it from a pipe
 * (the bytes are read through the store, so ffprobe opens nothing itself). `source_missing` when absent;
 * UnusableSourceError otherwise. With `known`, a picture already checked (same key and ETag) is not
 * read or decoded again.
 */
export async function checkImage(
  objects: ObjectStore,
  tools: ProbeTools,
  key: string,
  known?: Lru<ImageInfo>,
): Promise<ImageInfo> {
  const stat = await objects.stat(key);
  if (!stat) throw new OriginError(ErrorCode.SourceMissing, `no object ${JSON.stringify(key)}`);
  // The same picture (key and ETag) is checked once: an app re-mints with the same logo after every edit.
  const id = `${key}\n${stat.etag}`;
  const checked = known?.get(id);
  if (checked) return checked;
  if (stat.size > LIMITS.imageBytes)
    throw new UnusableSourceError(`is larger than ${LIMITS.imageBytes / 1024 / 1024} MB`);
  const bytes = await objects.read(key, LIMITS.imageBytes);
  const header = imageHeader(bytes);
  if (!header) throw new UnusableSourceError('is not a PNG, JPEG or WebP image');
  const { format, width, height } = header;
  if (width < 1 || height < 1 || width > LIMITS.imageSide || height > LIMITS.imageSide) {
    throw new UnusableSourceError(
      `is ${width}×${height}; an image overlay may be at most ${LIMITS.imageSide} pixels on either side`,
    );
  }
  await decodes(tools, bytes, IMAGE_DEMUXERS[format], { width, height });
  const info: ImageInfo = { key, etag: stat.etag, size: stat.size, format, width, height };
  known?.set(id, info);
  return info;
}

/** Decodes the picture once with ffprobe (from stdin) and checks it is the size its header says. */
async function decodes(
  tools: ProbeTools,
  bytes: Uint8Array,
  demuxer: string,
  size: { width: number; height: number },
): Promise<void> {
  let frame: { width?: number; height?: number } | undefined;
  try {
    const { stdout } = await tools.runner.run(
      tools.ffprobePath,
      [
        '-v',
        'error',
        '-protocol_whitelist',
        'pipe',
        '-f',
        demuxer,
        '-i',
        'pipe:0',
        '-select_streams',
        'v:0',
        '-show_entries',
        'frame=width,height',
        '-of',
        'json',
      ],
      { timeoutMs: tools.timeoutMs, stdin: bytes, maxOutputBytes: 1024 * 1024 },
    );
    frame = (JSON.parse(stdout.toString('utf8')) as { frames?: Array<{ width?: number; height?: number }> })
      .frames?.[0];
  } catch {
    frame = undefined;
  }
  if (frame?.width !== size.width || frame.height !== size.height)
    throw new UnusableSourceError('cannot be decoded as an image');
}
