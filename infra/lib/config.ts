import type { Node } from 'constructs';

/**
 * Deployment settings read from CDK context (`cdk deploy -c key=value` or cdk.json / cdk.context.json).
 * Every value has a default that synthesises offline: the placeholder account and fixed AZ names
 * mean no lookup (and so no AWS credentials) is ever needed for `cdk synth`.
 */
export interface AvserverConfig {
  /** AWS account. The placeholder makes `cdk deploy` fail loudly until a real one is given. */
  readonly account: string;
  readonly region: string;
  /** Availability zones of the VPC; fixed names so the VPC needs no AZ lookup. */
  readonly availabilityZones: string[];
  readonly natGateways: number;
  /** Existing recordings bucket to import; when absent the stack creates one. */
  readonly recordingsBucket?: string;
  /** Region of an imported recordings bucket (default: the stack's region). */
  readonly recordingsBucketRegion?: string;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** ALB requests per target per minute for the request-count scaling policy. */
  readonly requestsPerTarget: number;
  readonly cacheNodeType: string;
  readonly cacheEngine: 'valkey' | 'redis';
  /** Extra CIDRs (peered VPC, VPN, transit gateway) allowed to reach the internal ALB on port 80. */
  readonly apiClientCidrs: string[];
  /** Optional e-mail subscribed to the alarm topic. */
  readonly alarmEmail?: string;
  /** Alarm threshold on the average per-task job queue depth. */
  readonly jobsQueuedAlarmThreshold: number;
  /** ADOT collector image for the metrics sidecar. */
  readonly adotImage: string;
}

export const DEFAULT_ACCOUNT = '123456789012';
export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_ADOT_IMAGE = 'public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3';

function str(node: Node, key: string): string | undefined {
  const v: unknown = node.tryGetContext(key);
  if (v === undefined || v === null) return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

function int(node: Node, key: string, fallback: number, min: number): number {
  const raw = str(node, key);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`context ${key}=${raw}: expected an integer >= ${min}`);
  return n;
}

function list(node: Node, key: string): string[] | undefined {
  const v: unknown = node.tryGetContext(key);
  if (Array.isArray(v)) return v.map(String);
  const s = str(node, key);
  return s === undefined
    ? undefined
    : s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
}

export function configFromContext(node: Node): AvserverConfig {
  const region = str(node, 'region') ?? DEFAULT_REGION;
  const minCapacity = int(node, 'minCapacity', 2, 2);
  const maxCapacity = int(node, 'maxCapacity', 20, minCapacity);
  const cacheEngine = str(node, 'cacheEngine') ?? 'valkey';
  if (cacheEngine !== 'valkey' && cacheEngine !== 'redis')
    throw new Error(`context cacheEngine=${cacheEngine}: expected valkey or redis`);
  const availabilityZones = list(node, 'availabilityZones') ?? [`${region}a`, `${region}b`];
  if (availabilityZones.length < 2)
    throw new Error('context availabilityZones: at least two zones are needed (ALB, Multi-AZ cache)');
  return {
    account: str(node, 'account') ?? DEFAULT_ACCOUNT,
    region,
    availabilityZones,
    natGateways: int(node, 'natGateways', 1, 1),
    recordingsBucket: str(node, 'recordingsBucket'),
    recordingsBucketRegion: str(node, 'recordingsBucketRegion'),
    minCapacity,
    maxCapacity,
    requestsPerTarget: int(node, 'requestsPerTarget', 150, 1),
    cacheNodeType: str(node, 'cacheNodeType') ?? 'cache.t4g.small',
    cacheEngine,
    apiClientCidrs: list(node, 'apiClientCidrs') ?? [],
    alarmEmail: str(node, 'alarmEmail'),
    jobsQueuedAlarmThreshold: int(node, 'jobsQueuedAlarmThreshold', 10, 1),
    adotImage: str(node, 'adotImage') ?? DEFAULT_ADOT_IMAGE,
  };
}
