import { open, readdir, realpath, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { objectKeyProblem } from '../core/edits/object-key.js';
import { ErrorCode, OriginError, UnusableSourceError } from '../errors.js';
import type { ObjectListing, ObjectStat, ObjectStore } from './object-store.js';

/**
 * Sources as files under a root directory (the embedded default and local development). Only regular
 * files are objects: a directory, a FIFO or a device under the root is refused before it is opened —
 * a read that blocks forever (a FIFO, a hung network filesystem) would hold one of Node's four file
 * threads for good, and every later read would queue behind it.
 */
export class FsObjectStore implements ObjectStore {
  constructor(
    private readonly root: string,
    /** Deadline of one read. */
    private readonly timeoutMs = 10_000,
  ) {}

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

  /**
   * The path of a regular file, with its size; `source_missing` when there is none, unusable when it is not a regular
   * file.
   */
  async #file(key: string): Promise<{ path: string; size: number }> {
    const path = await this.#path(key);
    if (!path) throw new OriginError(ErrorCode.SourceMissing, `no such source: ${key}`);
    const s = await stat(path);
    if (!s.isFile()) throw new UnusableSourceError(`is not a regular file (${key})`);
    return { path, size: s.size };
  }

  async stat(key: string): Promise<ObjectStat | undefined> {
    const path = await this.#path(key);
    if (!path) return undefined;
    const s = await stat(path);
    if (!s.isFile()) throw new UnusableSourceError(`is not a regular file (${key})`);
    // mtimeMs keeps the fraction of a millisecond the file system records: a rewrite within the same
    // millisecond still changes the identity.
    return { size: s.size, etag: `${s.mtimeMs.toString(36)}-${s.size.toString(36)}` };
  }

  async read(key: string, maxBytes: number): Promise<Buffer> {
    const { path, size } = await this.#file(key);
    if (size > maxBytes) throw new UnusableSourceError(`has a part larger than ${maxBytes} bytes (${key})`);
    return this.#bytes(path, size);
  }

  async readHead(key: string, bytes: number): Promise<Buffer> {
    const { path, size } = await this.#file(key);
    return this.#bytes(path, Math.min(size, bytes));
  }

  /** The first `count` bytes of a regular file, within the deadline. */
  async #bytes(path: string, count: number): Promise<Buffer> {
    const handle = await open(path, 'r');
    let timer: NodeJS.Timeout | undefined;
    try {
      const buffer = Buffer.alloc(count);
      const reading = handle.read(buffer, 0, count, 0);
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new OriginError(ErrorCode.Unavailable, 'the media store did not answer in time')),
          this.timeoutMs,
        );
      });
      const { bytesRead } = await Promise.race([reading, late]);
      return buffer.subarray(0, bytesRead);
    } finally {
      clearTimeout(timer);
      // Not awaited: after a timeout the read may still hold the handle.
      void handle.close().catch(() => {});
    }
  }

  async input(key: string): Promise<string> {
    return (await this.#file(key)).path;
  }

  /**
   * Walks the root breadth first, folders in name order, reading at most `maxKeys` folders and keeping
   * at most `maxKeys` files. Symbolic links are not followed (a link may lead out of the root, or in a
   * circle); only regular files are listed.
   */
  async list(maxKeys: number): Promise<ObjectListing> {
    const walk = async (): Promise<ObjectListing> => {
      const keys: string[] = [];
      const folders = [''];
      for (let read = 0; folders.length > 0; read++) {
        if (read >= maxKeys) return { keys: keys.sort(), truncated: true };
        const folder = folders.shift()!;
        const entries = await readdir(resolve(this.root, folder), { withFileTypes: true });
        entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        for (const entry of entries) {
          if (entry.name.startsWith('.')) continue;
          const key = folder ? `${folder}/${entry.name}` : entry.name;
          if (entry.isDirectory()) folders.push(key);
          else if (entry.isFile()) {
            if (keys.length === maxKeys) return { keys: keys.sort(), truncated: true };
            keys.push(key);
          }
        }
      }
      return { keys: keys.sort(), truncated: false };
    };
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new OriginError(ErrorCode.Unavailable, 'the media store did not answer in time')),
        this.timeoutMs,
      );
    });
    return Promise.race([walk(), late]).finally(() => clearTimeout(timer));
  }
}
