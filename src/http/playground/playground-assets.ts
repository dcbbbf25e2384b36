import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

/** A file the playground serves. */
export interface PlaygroundAsset {
  body: Uint8Array<ArrayBuffer>;
  type: string;
}

/** The page's own files, by name; served at `/playground/<name>` (`index.html` at `/`). */
const PAGE_FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'playground.css': 'text/css; charset=utf-8',
  'playground.js': 'text/javascript; charset=utf-8',
  'edits.js': 'text/javascript; charset=utf-8',
  'players.js': 'text/javascript; charset=utf-8',
  'scrub-bar.js': 'text/javascript; charset=utf-8',
};

/**
 * The player builds, from node_modules where they are installed (development: they are
 * devDependencies), else from `players/` beside this module, where the production build copies them
 * before it prunes devDependencies (scripts/production-build.sh): 1.4 MB instead of 118 MB of packages.
 */
const PLAYERS: Record<string, string> = {
  'hls.min.js': 'hls.js/dist/hls.min.js',
  'shaka-player.compiled.js': 'shaka-player/dist/shaka-player.compiled.js',
};

async function playerBuild(name: string, specifier: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const candidates: Array<string | URL> = [new URL(`./players/${name}`, import.meta.url)];
  try {
    candidates.unshift(createRequire(import.meta.url).resolve(specifier));
  } catch {
    // Not installed: the copy beside this module, if any.
  }
  for (const file of candidates) {
    try {
      return new Uint8Array(await readFile(file));
    } catch {
      // Try the next place.
    }
  }
  return undefined;
}

/** Reads the page and whichever player builds exist, once, at start-up. */
export async function loadPlaygroundAssets(): Promise<Map<string, PlaygroundAsset>> {
  const assets = new Map<string, PlaygroundAsset>();
  for (const [name, type] of Object.entries(PAGE_FILES)) {
    assets.set(name, { body: new Uint8Array(await readFile(new URL(`./page/${name}`, import.meta.url))), type });
  }
  for (const [name, specifier] of Object.entries(PLAYERS)) {
    const body = await playerBuild(name, specifier);
    if (body) assets.set(name, { body, type: 'text/javascript; charset=utf-8' });
  }
  return assets;
}
