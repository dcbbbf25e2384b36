import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../lib/avserver-stack';
import { only, removeOutdirs, resourcesOfType, synth } from './helpers';

afterAll(removeOutdirs);

// The default image: ContainerImage.fromAsset(<repo root>) with the repo's Dockerfile. Synthesis
// hashes and stages the build context but never runs docker, so this works offline.
describe('origin image from the repository Dockerfile', () => {
  it('synthesises with fromAsset, without docker, staging only the image inputs', () => {
    const started = Date.now();
    const { app, template, outdir } = synth({ image: 'asset' });
    const assembly = app.synth();
    const elapsed = Date.now() - started;

    expect(assembly.manifest.missing ?? []).toEqual([]);
    const assetsFile = only(
      fs.readdirSync(outdir).filter((f) => f.endsWith('.assets.json')),
      'asset manifest',
    );
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, assetsFile), 'utf8')) as {
      dockerImages: Record<string, { source: { directory: string; platform?: string } }>;
    };
    const [hash, image] = only(Object.entries(manifest.dockerImages), 'docker image asset');
    expect(image.source.platform).toBe('linux/amd64');

    const staged = path.join(outdir, image.source.directory);
    const entries = fs.readdirSync(staged);
    expect(entries).toEqual(
      expect.arrayContaining(['Dockerfile', 'package.json', 'package-lock.json', 'src', 'fixtures', 'scripts']),
    );
    for (const excluded of ['node_modules', '.git', 'infra', 'dist', 'bench', 'test'])
      expect(entries).not.toContain(excluded);
    expect(fs.readFileSync(path.join(staged, 'Dockerfile'), 'utf8')).toBe(
      fs.readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8'),
    );

    const [, td] = only(resourcesOfType(template, 'AWS::ECS::TaskDefinition'), 'task definition');
    const origin = (td.Properties.ContainerDefinitions as any[]).find((c) => c.Name === 'origin');
    expect(JSON.stringify(origin.Image)).toContain(`container-assets-123456789012-us-east-1:${hash}`);

    // Excludes keep hashing and staging quick (node_modules alone is hundreds of MB).
    expect(elapsed).toBeLessThan(30_000);
  });
});
