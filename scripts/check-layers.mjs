#!/usr/bin/env node
/**
 * Imports in src/ (tests excluded) run one way, from the edges down to the pure core, and never in a
 * circle. A file's layer is its folder under src/ (or its own name at the top); it may import its own
 * layer and those listed below it. Run by `npm run check`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');

/** Lowest first: each layer may import only layers earlier in this list (and itself). */
const LAYERS = [
  ['util', 'errors', 'logger', 'config', 'types'],
  ['core'],
  // The typed API client: the contract in core/api and core/edits, and nothing else of the origin.
  ['client'],
  ['stores'],
  ['media'],
  ['engine'],
  ['services', 'metrics'],
  ['http'],
  ['origin', 'preflight'],
  ['main'],
];
const rank = new Map(LAYERS.flatMap((names, i) => names.map((n) => [n, i])));

function layerOf(file) {
  const top = relative(src, file).split('/')[0];
  return top.replace(/\.(ts|mjs)$/, '');
}

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|mjs)$/.test(entry.name) && !/\.test\.ts$|\.d\.ts$/.test(entry.name)) yield path;
  }
}

/** Relative imports of a file (static, dynamic and re-exports), resolved to files. */
function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const found = [];
  for (const re of [/\bfrom\s+['"](\.[^'"]+)['"]/g, /\bimport\s*\(\s*['"](\.[^'"]+)['"]\s*\)/g]) {
    for (const m of text.matchAll(re)) {
      const target = resolve(dirname(file), m[1]);
      const ts = target.replace(/\.js$/, '.ts');
      found.push(existsSync(ts) ? ts : target);
    }
  }
  return found;
}

const files = [...sourceFiles(src)];
const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => t.startsWith(src))]));
const problems = [];

for (const [file, targets] of graph) {
  const from = layerOf(file);
  if (!rank.has(from))
    problems.push(`${relative(root, file)}: folder "${from}" has no layer in scripts/check-layers.mjs`);
  for (const target of targets) {
    const to = layerOf(target);
    if (rank.get(to) > rank.get(from))
      problems.push(`${relative(root, file)} imports ${relative(root, target)}: ${from} may not import ${to}`);
  }
}

// Cycles: a depth-first walk; a file met again while still on the path closes a circle.
const state = new Map();
const path = [];
function visit(file) {
  state.set(file, 'open');
  path.push(file);
  for (const next of graph.get(file) ?? []) {
    if (state.get(next) === 'open') {
      const circle = path.slice(path.indexOf(next)).concat(next);
      problems.push(`import cycle: ${circle.map((f) => relative(src, f)).join(' → ')}`);
    } else if (!state.has(next)) visit(next);
  }
  path.pop();
  state.set(file, 'done');
}
for (const file of files) if (!state.has(file)) visit(file);

if (problems.length > 0) {
  console.error(`layers: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`layers: ${files.length} files, imports run one way, no cycles`);
