import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsObjectStore } from './fs-object-store.js';

describe('FsObjectStore.list', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'avserver-list-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const files = async (...keys: string[]) => {
    for (const key of keys) {
      await mkdir(join(root, key, '..'), { recursive: true });
      await writeFile(join(root, key), 'x');
    }
  };

  it('lists regular files under the root as keys, in key order, without dot names', async () => {
    await files('b.mp4', 'a/z.mp4', 'a/b/c.webm', '.hidden.mp4', '.cache/x.mp4');
    expect(await new FsObjectStore(root).list(100)).toEqual({
      keys: ['a/b/c.webm', 'a/z.mp4', 'b.mp4'],
      truncated: false,
    });
  });

  it('does not follow symbolic links (one may lead out of the root, or in a circle)', async () => {
    await files('a.mp4');
    await symlink(root, join(root, 'loop'));
    await symlink(join(root, 'a.mp4'), join(root, 'link.mp4'));
    expect((await new FsObjectStore(root).list(100)).keys).toEqual(['a.mp4']);
  });

  it('keeps at most maxKeys files and reads at most maxKeys folders', async () => {
    await files('1.mp4', '2.mp4', '3.mp4');
    expect(await new FsObjectStore(root).list(2)).toEqual({ keys: ['1.mp4', '2.mp4'], truncated: true });
    // Ten nested empty folders: the walk stops after reading two of them.
    await mkdir(join(root, ...Array.from({ length: 10 }, (_, i) => `d${i}`)), { recursive: true });
    await rm(join(root, '3.mp4'));
    expect(await new FsObjectStore(root).list(2)).toEqual({ keys: ['1.mp4', '2.mp4'], truncated: true });
  });
});
