// The synthesised stack, the origin service: tasks, containers, scaling, alarms, outputs and context.
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  container,
  defaultStack,
  flatten,
  logicalIdOf,
  only,
  removeOutdirs,
  resourcesOfType,
  synth,
  taskDefinition,
  type Synth,
} from './helpers';

let s: Synth;
beforeAll(() => {
  s = defaultStack();
});
afterAll(removeOutdirs);

describe('ECS service', () => {
  it('runs 2 vCPU / 4 GB tasks with ephemeral storage for WORK_DIR', () => {
    expect(taskDefinition()).toMatchObject({
      Cpu: '2048',
      Memory: '4096',
      EphemeralStorage: { SizeInGiB: 50 },
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
    });
  });

  it('configures the origin container: port, environment, secrets, logs, stop timeout', () => {
    const c = container('origin');
    expect(c.PortMappings).toEqual([expect.objectContaining({ ContainerPort: 8080 })]);
    expect(c.StopTimeout).toBe(60);
    expect(c.Essential).toBe(true);
    const env = Object.fromEntries((c.Environment as any[]).map((e) => [e.Name, e.Value]));
    expect(env).toMatchObject({
      HOST: '0.0.0.0',
      PORT: '8080',
      WORK_DIR: '/tmp/avserver',
      METRICS_PORT: '9464',
      LOG_LEVEL: 'info',
      S3_REGION: 'us-east-1',
      // Longer than the ALB's idle timeout (network.test.ts): the ALB closes idle connections first.
      KEEP_ALIVE_TIMEOUT_MS: '65000',
    });
    expect(flatten(env.S3_BUCKET)).toBe(`<Ref:${logicalIdOf('AWS::S3::Bucket', 'Recordings')}>`);
    // rediss:// with no credentials in it; the token comes in REDIS_AUTH_TOKEN.
    expect(flatten(env.REDIS_URL)).toBe(
      'rediss://<GetAtt:Cache.PrimaryEndPoint.Address>:<GetAtt:Cache.PrimaryEndPoint.Port>',
    );

    const secrets = Object.fromEntries((c.Secrets as any[]).map((e) => [e.Name, e.ValueFrom]));
    expect(Object.keys(secrets).sort()).toEqual([
      'AVSERVER_API_TOKEN',
      'ORIGIN_VERIFY_SECRET',
      'REDIS_AUTH_TOKEN',
      'REVISION_SECRET',
    ]);
    expect(secrets.AVSERVER_API_TOKEN).toEqual({ Ref: logicalIdOf('AWS::SecretsManager::Secret', 'ApiToken') });
    expect(secrets.REDIS_AUTH_TOKEN).toEqual({ Ref: logicalIdOf('AWS::SecretsManager::Secret', 'RedisAuthToken') });
    for (const name of Object.keys(secrets)) expect(env[name]).toBeUndefined();

    expect(c.LogConfiguration.LogDriver).toBe('awslogs');
    s.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('has an ADOT sidecar that scrapes the metrics port and exports jobs_queued to CloudWatch namespace avserver', () => {
    const c = container('metrics');
    expect(c.Image).toMatch(/^public\.ecr\.aws\/aws-observability\/aws-otel-collector:/);
    expect(c.Essential).toBe(false);
    const config = flatten(
      only(
        (c.Environment as any[]).filter((e) => e.Name === 'AOT_CONFIG_CONTENT'),
        'AOT_CONFIG_CONTENT',
      ).Value,
    );
    expect(config).toContain("targets: ['127.0.0.1:9464']");
    expect(config).toContain('include: avserver_jobs_queued');
    expect(config).toContain('new_name: jobs_queued');
    // Summed over the origin's priority label (avserver_jobs_queued{priority="player|lookahead"}).
    expect(config).toMatch(/action: aggregate_labels\n\s+label_set: \[\]\n\s+aggregation_type: sum/);
    expect(config).toContain('namespace: avserver');
    expect(config).toContain('dimensions: [[ServiceName]]');
    // The metrics port is not published to the ALB.
    expect(c.PortMappings).toBeUndefined();
  });

  it('runs at least two tasks behind the ALB with /healthz checks and a 60 s drain', () => {
    const [, service] = only(resourcesOfType(s.template, 'AWS::ECS::Service'), 'service');
    expect(service.Properties.DesiredCount).toBeGreaterThanOrEqual(2);
    expect(service.Properties.LaunchType).toBe('FARGATE');
    expect(service.Properties.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('DISABLED');
    expect(service.Properties.LoadBalancers).toEqual([
      expect.objectContaining({ ContainerName: 'origin', ContainerPort: 8080 }),
    ]);

    s.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8080,
      TargetType: 'ip',
      HealthCheckPath: '/healthz',
      HealthyThresholdCount: 2,
      HealthCheckIntervalSeconds: 10,
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '60' }]),
    });
  });

  it('scales on CPU and on requests per target, out fast and in slowly, never below two tasks', () => {
    const [, target] = only(
      resourcesOfType(s.template, 'AWS::ApplicationAutoScaling::ScalableTarget'),
      'scalable target',
    );
    expect(target.Properties.MinCapacity).toBeGreaterThanOrEqual(2);
    expect(target.Properties.MaxCapacity).toBe(20);

    const policies = resourcesOfType(s.template, 'AWS::ApplicationAutoScaling::ScalingPolicy').map(
      ([, p]) => p.Properties,
    );
    const metricTypes = policies
      .map((p) => p.TargetTrackingScalingPolicyConfiguration?.PredefinedMetricSpecification?.PredefinedMetricType)
      .sort();
    expect(metricTypes).toEqual(['ALBRequestCountPerTarget', 'ECSServiceAverageCPUUtilization']);
    for (const p of policies) {
      expect(p.PolicyType).toBe('TargetTrackingScaling');
      expect(p.TargetTrackingScalingPolicyConfiguration).toMatchObject({ ScaleOutCooldown: 60, ScaleInCooldown: 600 });
    }
    const cpu = policies.find(
      (p) =>
        p.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType ===
        'ECSServiceAverageCPUUtilization',
    );
    expect(cpu.TargetTrackingScalingPolicyConfiguration.TargetValue).toBe(60);
  });
});

describe('alarms and outputs', () => {
  it('alarms on the origin 5xx rate, p95 latency, job queue depth and healthy tasks', () => {
    const alarms = resourcesOfType(s.template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    expect(alarms).toHaveLength(4);

    const rate = only(
      alarms.filter((a) => a.Metrics),
      '5xx rate alarm',
    );
    const metricNames = (rate.Metrics as any[])
      .filter((m) => m.MetricStat)
      .map((m) => m.MetricStat.Metric.MetricName)
      .sort();
    expect(metricNames).toEqual(['HTTPCode_Target_5XX_Count', 'RequestCount']);
    expect((rate.Metrics as any[]).find((m) => m.Expression).Expression).toContain('100 * errors / requests');
    expect(rate).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' });

    const latency = only(
      alarms.filter((a) => a.MetricName === 'TargetResponseTime'),
      'latency alarm',
    );
    expect(latency).toMatchObject({
      ExtendedStatistic: 'p95',
      Threshold: 5,
      Period: 300,
      Namespace: 'AWS/ApplicationELB',
    });

    const queue = only(
      alarms.filter((a) => a.MetricName === 'jobs_queued'),
      'jobs_queued alarm',
    );
    expect(queue).toMatchObject({ Namespace: 'avserver', Dimensions: [{ Name: 'ServiceName', Value: 'Avserver' }] });

    only(
      alarms.filter((a) => a.MetricName === 'HealthyHostCount'),
      'healthy host alarm',
    );
    for (const a of alarms) expect(a.AlarmActions).toHaveLength(1);
  });

  it('outputs the distribution domain, the internal API URL and the secret ARNs', () => {
    const outputs = s.template.toJSON().Outputs as Record<string, any>;
    expect(outputs.DistributionDomainName.Value).toEqual({
      'Fn::GetAtt': [logicalIdOf('AWS::CloudFront::Distribution', 'Cdn'), 'DomainName'],
    });
    expect(flatten(outputs.InternalApiUrl.Value)).toBe(
      `http://<GetAtt:${logicalIdOf('AWS::ElasticLoadBalancingV2::LoadBalancer', 'Alb')}.DNSName>/v1/`,
    );
    for (const [output, secret] of [
      ['ApiTokenSecretArn', 'ApiToken'],
      ['RevisionSecretArn', 'RevisionSecret'],
      ['OriginVerifySecretArn', 'OriginVerifySecret'],
      ['RedisAuthTokenSecretArn', 'RedisAuthToken'],
    ] as const) {
      expect(outputs[output].Value).toEqual({ Ref: logicalIdOf('AWS::SecretsManager::Secret', secret) });
    }
  });
});

describe('context', () => {
  it('honours natGateways, capacity and account/region', () => {
    const custom = synth({
      context: { natGateways: 2, minCapacity: 3, maxCapacity: 8, account: '111122223333', region: 'eu-west-1' },
    });
    custom.template.resourceCountIs('AWS::EC2::NatGateway', 2);
    custom.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 3,
      MaxCapacity: 8,
    });
    custom.template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 3 });
    expect(custom.stack.account).toBe('111122223333');
    const [, dist] = only(resourcesOfType(custom.template, 'AWS::CloudFront::Distribution'), 'distribution');
    expect(dist.Properties.DistributionConfig.Origins[0].OriginShield.OriginShieldRegion).toBe('eu-west-1');
    expect(custom.app.synth().manifest.missing ?? []).toEqual([]);
  });

  it('rejects fewer than two tasks and internet-wide API CIDRs', () => {
    expect(() => synth({ context: { minCapacity: 1 } })).toThrow(/minCapacity/);
    expect(() => synth({ context: { apiClientCidrs: '10.1.0.0/16,0.0.0.0/0' } })).toThrow(/internet/);
  });

  it('adds API client CIDRs to the ALB on port 80', () => {
    const peered = synth({ context: { apiClientCidrs: '10.1.0.0/16' } });
    peered.template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: Match.arrayWith([Match.objectLike({ CidrIp: '10.1.0.0/16', FromPort: 80, ToPort: 80 })]),
    });
  });
});
