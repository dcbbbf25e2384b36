#!/usr/bin/env node
/**
 * Every package the production code (src/, tests excluded) imports, requires or resolves must be a
 * runtime dependency in package.json: a devDependency is pruned from the image, and the process
 * dies at start (ERR_MODULE_NOT_FOUND) or on first use. Run by `npm test`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const runtime = new Set(Object.keys(pkg.dependencies ?? {}));

/** Imported only inside a try, and the feature is off without it: not needed in production. */
const OPTIONAL = new Map([
  ['hls.js', 'the playground serves it from node_modules, or from the copy the production build keeps'],
  ['shaka-player', 'the playground serves it from node_modules, or from the copy the production build keeps'],
]);

/** Static and dynamic imports, re-exports, require() and require.resolve(). */
const SPECIFIERS = [
  /\bfrom\s+['"]([^'"]+)['"]/g,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\bimport\s+['"]([^'"]+)['"]/g,
  /\brequire(?:\.resolve|\([^)]*\)\.resolve)?\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\.resolve\(\s*['"]([^'"]+)['"]\s*\)/g,
];

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|mts|js|mjs)$/.test(entry.name) && !/\.test\.[mc]?[jt]s$/.test(entry.name)) yield path;
  }
}

const packageOf = (specifier) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
const isBuiltin = (specifier) => specifier.startsWith('node:') || builtinModules.includes(packageOf(specifier));

const problems = [];
for (const file of sourceFiles(join(root, 'src'))) {
  // Code only: comments may quote anything (`from 'miss'` in a sentence).
  const text = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
  for (const pattern of SPECIFIERS) {
    for (const [, specifier] of text.matchAll(pattern)) {
      if (specifier.startsWith('.') || specifier.startsWith('/') || isBuiltin(specifier)) continue;
      const name = packageOf(specifier);
      if (runtime.has(name) || OPTIONAL.has(name)) continue;
      problems.push(`${relative(root, file)}: '${specifier}' — ${name} is not in "dependencies"`);
    }
  }
}

if (problems.length > 0) {
  console.error(`runtime imports that production would not have:\n  ${[...new Set(problems)].join('\n  ')}`);
  process.exit(1);
}
console.log(`runtime dependencies: every package src/ uses is in "dependencies" (${runtime.size} declared)`);
