import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AvserverStack } from '../lib/avserver-stack';
import { configFromContext } from '../lib/config';

/** The feature flags of cdk.json, so the tests synthesise what `cdk synth` does. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

const outdirs: string[] = [];

/** Deletes the cloud assemblies written by synth() (call from afterAll). */
export function removeOutdirs(): void {
  for (const dir of outdirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export interface Synth {
  app: cdk.App;
  stack: AvserverStack;
  template: Template;
  outdir: string;
}

/**
 * Builds the stack the way bin/avserver.ts does. `image: 'asset'` keeps the real default
 * (ContainerImage.fromAsset of the repo root); otherwise a registry image skips staging the context.
 */
export function synth(opts: { context?: Record<string, unknown>; image?: 'asset' | ecs.ContainerImage } = {}): Synth {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'avserver-cdk-'));
  outdirs.push(outdir);
  const app = new cdk.App({ outdir, context: { ...cdkJsonContext(), ...opts.context } });
  const config = configFromContext(app.node);
  const image = opts.image === 'asset' ? undefined : (opts.image ?? ecs.ContainerImage.fromRegistry('avserver:test'));
  const stack = new AvserverStack(app, 'Avserver', {
    config,
    image,
    env: { account: config.account, region: config.region },
  });
  return { app, stack, template: Template.fromStack(stack), outdir };
}

type Json = Record<string, any>;

export function resourcesOfType(template: Template, type: string): [string, Json][] {
  return Object.entries(template.findResources(type)) as [string, Json][];
}

export function only<T>(items: T[], what: string): T {
  if (items.length !== 1) throw new Error(`expected exactly one ${what}, found ${items.length}`);
  return items[0] as T;
}

/** Flattens an Fn::Join of strings and tokens into a string, tokens shown as <Ref:...>/<GetAtt:...>. */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const v = value as Json;
    if (Array.isArray(v['Fn::Join']))
      return (v['Fn::Join'][1] as unknown[]).map(flatten).join(v['Fn::Join'][0] as string);
    if (v.Ref) return `<Ref:${v.Ref}>`;
    if (v['Fn::GetAtt']) return `<GetAtt:${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  }
  return JSON.stringify(value);
}

export function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

let shared: Synth | undefined;
/** The stack with the default context, synthesised once per test file. */
export function defaultStack(): Synth {
  return (shared ??= synth());
}

/** The one logical id of `type` starting with `prefix` in the default stack. */
export function logicalIdOf(type: string, prefix: string): string {
  const ids = resourcesOfType(defaultStack().template, type)
    .map(([id]) => id)
    .filter((id) => id.startsWith(prefix));
  return only(ids, `${type} ${prefix}*`);
}

export function distributionConfig() {
  const [, dist] = only(resourcesOfType(defaultStack().template, 'AWS::CloudFront::Distribution'), 'distribution');
  return dist.Properties.DistributionConfig;
}

export function taskDefinition() {
  const [, td] = only(resourcesOfType(defaultStack().template, 'AWS::ECS::TaskDefinition'), 'task definition');
  return td.Properties;
}

export function container(name: string) {
  return only(
    (taskDefinition().ContainerDefinitions as any[]).filter((c) => c.Name === name),
    `container ${name}`,
  );
}
