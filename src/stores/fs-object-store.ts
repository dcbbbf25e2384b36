import { readFile, realpath, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { objectKeyProblem } from '../core/object-key.js';
import { ErrorCode, OriginError } from '../errors.js';
import type { ObjectStat, ObjectStore } from './object-store.js';

/** Sources as files under a root directory (the embedded default and local development). */
export class FsObjectStore implements ObjectStore {
  constructor(private readonly root: string) {}

  /** The file for a key, refusing anything (including a symlink) that resolves outside the root. */
  async #path(key: string): Promise<string | undefined> {
    const problem = objectKeyProblem(key);
    if (problem) throw new OriginError(ErrorCode.InvalidField, `object key ${problem}`);
    const root = await realpath(this.root);
    let real: string;
    try {
      real = await realpath(resolve(root, key));
    } catch {
      return undefined;
    }
    return real.startsWith(root + sep) ? real : undefined;
  }

  async stat(key: string): Promise<ObjectStat | undefined> {
    const path = await this.#path(key);
    if (!path) return undefined;
    const s = await stat(path);
    if (!s.isFile()) return undefined;
    return { size: s.size, etag: `${Math.trunc(s.mtimeMs).toString(36)}-${s.size.toString(36)}` };
  }

  async read(key: string): Promise<Buffer> {
    return readFile(await this.input(key));
  }

  async input(key: string): Promise<string> {
    const path = await this.#path(key);
    if (!path) throw new OriginError(ErrorCode.SourceMissing, `no such source: ${key}`);
    return path;
  }
}
