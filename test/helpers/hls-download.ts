import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Parser, type Manifest } from 'm3u8-parser';
import { expect } from 'vitest';
import type { RunningOrigin } from './origin-server.js';

export function parsePlaylist(text: string): Manifest {
  const parser = new Parser();
  parser.push(text);
  parser.end();
  return parser.manifest;
}

/** Fetches through an origin, expecting 200s; downloads whole renditions for decoding. */
export function downloader(server: RunningOrigin) {
  const bytes = async (path: string): Promise<Buffer> => {
    const res = await server.fetch(path);
    expect(res.status, path).toBe(200);
    return Buffer.from(await res.arrayBuffer());
  };
  const text = async (path: string) => (await bytes(path)).toString('utf8');
  /** A rendition: its playlist, the concatenated file, and each segment as its own file (init + segment). */
  const download = async (base: string, id: string, dir: string) => {
    const playlist = parsePlaylist(await text(`${base}/${id}.m3u8`));
    const init = await bytes(`${base}/${id}/init.mp4`);
    const segments = await Promise.all(playlist.segments.map((s) => bytes(`${base}/${s.uri}`)));
    const whole = join(dir, `${id}.mp4`);
    await writeFile(whole, Buffer.concat([init, ...segments]));
    const singles = await Promise.all(
      segments.map(async (seg, i) => {
        const file = join(dir, `${id}-${i}.mp4`);
        await writeFile(file, Buffer.concat([init, seg]));
        return file;
      }),
    );
    return { playlist, whole, singles, sizes: segments.map((s) => s.length) };
  };
  return { bytes, text, download };
}
