import { describe, expect, it } from 'vitest';
import { canonicalEdits, parseEdits, revisionId } from '../core/edits/revision.js';
import { MemoryRevisionStore } from '../stores/memory-revision-store.js';
import { revisionRecord, sourceInfo } from '../../test/helpers/records.js';
import { planBytes, Revisions } from './revisions.js';
import type { MintDeps } from './mint.js';

const id = (i: number) => `R${String(i).padStart(21, '0')}`;

/** Revisions over a memory store, with `count` revisions of a source lasting `hours`. */
async function revisions(count: number, hours: number) {
  const store = new MemoryRevisionStore();
  const source = sourceInfo({ key: 'a.mp4', duration: hours * 3600 });
  for (let i = 0; i < count; i++) await store.saveRevision(revisionRecord([source], { id: id(i) }), 3600);
  // Planning needs the store and the plan options only.
  return new Revisions({ store, planOptions: { segmentDuration: 4 } } as unknown as MintDeps);
}

describe('the plan cache', () => {
  it('is bounded by the bytes of its plans, not their count: 10-hour plans stay within 64 MB', async () => {
    const r = await revisions(60, 10);
    for (let i = 0; i < 60; i++) await r.plan(id(i));
    expect(r.planCacheBytes).toBeLessThanOrEqual(64 * 1024 * 1024);
    expect(r.planCacheBytes).toBeGreaterThan(32 * 1024 * 1024);
    // The most recent is kept: the same plan again, not planned anew.
    expect(await r.plan(id(59))).toBe(await r.plan(id(59)));
  });

  it('weighs a plan by its segments: ten hours about 2 MB, a minute a few KB', async () => {
    const r = await revisions(2, 10);
    const long = await r.plan(id(0));
    expect(planBytes(long)).toBeGreaterThan(2_000_000);
    const short = await (await revisions(1, 1 / 60)).plan(id(0));
    expect(planBytes(short)).toBeLessThan(10_000);
  });
});

describe('the onMinted hook (prewarm)', () => {
  const secret = 'test-secret-0123456789';
  const body = { clips: [{ source: 'a.mp4' }] };

  /** Revisions over a memory store that already holds the revision of `body` (a mint needs no probe). */
  async function minted(onMinted: (id: string) => void) {
    const store = new MemoryRevisionStore();
    const id = revisionId(canonicalEdits(parseEdits(body)), secret);
    await store.saveRevision(revisionRecord([sourceInfo({ key: 'a.mp4' })], { id }), 3600);
    const deps = { store, secret, ttlSeconds: 3600, planOptions: { segmentDuration: 4 } } as unknown as MintDeps;
    return { id, revisions: new Revisions(deps, { onMinted }) };
  }

  it('runs after every mint, whoever mints: the service is the one path (the demo revision skipped it)', async () => {
    const calls: string[] = [];
    const { id, revisions } = await minted((minted) => calls.push(minted));
    const result = await revisions.mint(body);
    expect(result.record.id).toBe(id);
    expect(calls).toEqual([id]);
  });

  it('does not run when the mint fails', async () => {
    const calls: string[] = [];
    const { revisions } = await minted((minted) => calls.push(minted));
    await expect(revisions.mint({ clips: [] })).rejects.toMatchObject({ field: 'clips' });
    expect(calls).toEqual([]);
  });
});
