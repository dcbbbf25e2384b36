import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asArray, flatten, only, removeOutdirs, resourcesOfType, synth, type Synth } from './helpers';

let s: Synth;
beforeAll(() => {
  s = synth();
});
afterAll(removeOutdirs);

const logicalIdOf = (type: string, prefix: string) => {
  const ids = resourcesOfType(s.template, type)
    .map(([id]) => id)
    .filter((id) => id.startsWith(prefix));
  return only(ids, `${type} ${prefix}*`);
};

function distributionConfig() {
  const [, dist] = only(resourcesOfType(s.template, 'AWS::CloudFront::Distribution'), 'distribution');
  return dist.Properties.DistributionConfig;
}

function taskDefinition() {
  const [, td] = only(resourcesOfType(s.template, 'AWS::ECS::TaskDefinition'), 'task definition');
  return td.Properties;
}

function container(name: string) {
  return only(
    (taskDefinition().ContainerDefinitions as any[]).filter((c) => c.Name === name),
    `container ${name}`,
  );
}

describe('CloudFront', () => {
  it('has one origin, a VPC origin on the internal ALB with Origin Shield on in the stack region', () => {
    const origin = only(distributionConfig().Origins as any[], 'origin');
    expect(origin.OriginShield).toEqual({ Enabled: true, OriginShieldRegion: 'us-east-1' });
    expect(origin.VpcOriginConfig.VpcOriginId).toEqual({
      'Fn::GetAtt': [logicalIdOf('AWS::CloudFront::VpcOrigin', 'Cdn'), 'Id'],
    });
    // Waits longer than the origin's 25 s request wait, so viewers get its 503, not a 504.
    expect(origin.VpcOriginConfig.OriginReadTimeout).toBeGreaterThan(25);
    expect(origin.CustomOriginConfig).toBeUndefined();
    expect(origin.S3OriginConfig).toBeUndefined();

    s.template.hasResourceProperties('AWS::CloudFront::VpcOrigin', {
      VpcOriginEndpointConfig: {
        Arn: { Ref: logicalIdOf('AWS::ElasticLoadBalancingV2::LoadBalancer', 'Alb') },
        HTTPPort: 80,
        OriginProtocolPolicy: 'http-only',
      },
    });
  });

  it('sends X-Origin-Verify from the Secrets Manager secret, never a literal', () => {
    const origin = only(distributionConfig().Origins as any[], 'origin');
    const header = only(
      (origin.OriginCustomHeaders as any[]).filter((h) => h.HeaderName === 'X-Origin-Verify'),
      'X-Origin-Verify header',
    );
    const secretId = logicalIdOf('AWS::SecretsManager::Secret', 'OriginVerifySecret');
    expect(flatten(header.HeaderValue)).toBe(`{{resolve:secretsmanager:<Ref:${secretId}>:SecretString:::}}`);
  });

  it('caches /play/* by path only with a one-day default and max TTL, without compression variants', () => {
    s.template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: {
        DefaultTTL: 86400,
        MaxTTL: 86400,
        MinTTL: 0,
        ParametersInCacheKeyAndForwardedToOrigin: {
          CookiesConfig: { CookieBehavior: 'none' },
          QueryStringsConfig: { QueryStringBehavior: 'none' },
          HeadersConfig: { HeaderBehavior: 'none' },
          EnableAcceptEncodingGzip: false,
          EnableAcceptEncodingBrotli: false,
        },
      },
    });
    s.template.hasResourceProperties('AWS::CloudFront::OriginRequestPolicy', {
      OriginRequestPolicyConfig: {
        CookiesConfig: { CookieBehavior: 'none' },
        QueryStringsConfig: { QueryStringBehavior: 'none' },
        // Only the CORS preflight header, for OPTIONS (which is not cached).
        HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['Access-Control-Request-Headers'] },
      },
    });

    const play = only(
      (distributionConfig().CacheBehaviors as any[]).filter((b) => b.PathPattern === '/play/*'),
      '/play/* behaviour',
    );
    expect(play.CachePolicyId).toEqual({ Ref: logicalIdOf('AWS::CloudFront::CachePolicy', 'PlayCachePolicy') });
    expect(play.OriginRequestPolicyId).toEqual({
      Ref: logicalIdOf('AWS::CloudFront::OriginRequestPolicy', 'PlayOriginRequestPolicy'),
    });
    expect(play.AllowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS']);
    expect(play.CachedMethods).toEqual(['GET', 'HEAD']);
    expect(play.ViewerProtocolPolicy).toBe('redirect-to-https');
  });

  it('uses HTTP/2 and HTTP/3 and never compresses', () => {
    const cfg = distributionConfig();
    expect(cfg.HttpVersion).toBe('http2and3');
    for (const behaviour of [cfg.DefaultCacheBehavior, ...(cfg.CacheBehaviors as any[])])
      expect(behaviour.Compress).toBe(false);
  });

  it('routes only /play/* to the origin: /v1/* is no behaviour and the default answers 404 at the edge', () => {
    const cfg = distributionConfig();
    const patterns = (cfg.CacheBehaviors as any[]).map((b) => b.PathPattern as string);
    expect(patterns).toEqual(['/play/*']);
    expect(patterns.some((p) => p.startsWith('/v1'))).toBe(false);

    const fnId = logicalIdOf('AWS::CloudFront::Function', 'EdgeNotFound');
    expect(cfg.DefaultCacheBehavior.FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [fnId, 'FunctionARN'] } },
    ]);
    const code = s.template.toJSON().Resources[fnId].Properties.FunctionCode as string;
    expect(code).toContain('statusCode: 404');
  });

  it('caches 4xx for 10 s without rewriting them, and does not cache 5xx', () => {
    const errors = distributionConfig().CustomErrorResponses as any[];
    for (const code of [400, 403, 404, 416]) {
      expect(errors).toContainEqual({ ErrorCode: code, ErrorCachingMinTTL: 10 });
    }
    expect(errors).toContainEqual({ ErrorCode: 503, ErrorCachingMinTTL: 0 });
    for (const e of errors) {
      expect(e.ResponsePagePath).toBeUndefined();
      expect(e.ResponseCode).toBeUndefined();
    }
  });
});

describe('network exposure', () => {
  it('has an internal ALB with a plain-HTTP listener on 80 and no other listener', () => {
    s.template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    s.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      Type: 'application',
    });
    const [, listener] = only(resourcesOfType(s.template, 'AWS::ElasticLoadBalancingV2::Listener'), 'listener');
    expect(listener.Properties).toMatchObject({ Port: 80, Protocol: 'HTTP' });
  });

  it('has no security-group ingress from the internet', () => {
    const ingress: any[] = [
      ...resourcesOfType(s.template, 'AWS::EC2::SecurityGroup').flatMap(([, sg]) =>
        asArray(sg.Properties.SecurityGroupIngress),
      ),
      ...resourcesOfType(s.template, 'AWS::EC2::SecurityGroupIngress').map(([, rule]) => rule.Properties),
    ];
    expect(ingress.length).toBeGreaterThan(0);
    for (const rule of ingress) {
      expect(rule.CidrIp).not.toBe('0.0.0.0/0');
      expect(rule.CidrIpv6).not.toBe('::/0');
    }
  });

  it('admits port 80 on the ALB from the VPC only', () => {
    const albSgId = logicalIdOf('AWS::EC2::SecurityGroup', 'AlbSg');
    const albSg = s.template.toJSON().Resources[albSgId].Properties;
    expect(albSg.SecurityGroupIngress).toEqual([
      expect.objectContaining({
        CidrIp: { 'Fn::GetAtt': [logicalIdOf('AWS::EC2::VPC', 'Vpc'), 'CidrBlock'] },
        FromPort: 80,
        ToPort: 80,
      }),
    ]);
  });

  it('has a VPC with two AZs, one NAT gateway and an S3 gateway endpoint', () => {
    s.template.resourceCountIs('AWS::EC2::NatGateway', 1);
    s.template.resourceCountIs('AWS::EC2::Subnet', 4);
    s.template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
    });
    const [, endpoint] = only(resourcesOfType(s.template, 'AWS::EC2::VPCEndpoint'), 'VPC endpoint');
    expect(flatten(endpoint.Properties.ServiceName)).toMatch(/\.s3$/);
  });

  it('needs no context lookup (synthesises without AWS credentials)', () => {
    expect(s.app.synth().manifest.missing ?? []).toEqual([]);
  });
});

describe('ElastiCache', () => {
  it('is Multi-AZ with failover, TLS in transit, encryption at rest and an AUTH token from Secrets Manager', () => {
    const authId = logicalIdOf('AWS::SecretsManager::Secret', 'RedisAuthToken');
    const [, rg] = only(resourcesOfType(s.template, 'AWS::ElastiCache::ReplicationGroup'), 'replication group');
    expect(rg.Properties).toMatchObject({
      MultiAZEnabled: true,
      AutomaticFailoverEnabled: true,
      NumCacheClusters: 2,
      TransitEncryptionEnabled: true,
      AtRestEncryptionEnabled: true,
      Port: 6379,
    });
    expect(flatten(rg.Properties.AuthToken)).toBe(`{{resolve:secretsmanager:<Ref:${authId}>:SecretString:::}}`);
    s.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ ExcludePunctuation: true, PasswordLength: 32 }),
    });
  });

  it('admits only the service security group on 6379', () => {
    const cacheSg = logicalIdOf('AWS::EC2::SecurityGroup', 'CacheSg');
    const rules = resourcesOfType(s.template, 'AWS::EC2::SecurityGroupIngress')
      .map(([, r]) => r.Properties)
      .filter((r) => r.GroupId['Fn::GetAtt']?.[0] === cacheSg);
    expect(rules).toEqual([
      expect.objectContaining({
        FromPort: 6379,
        ToPort: 6379,
        SourceSecurityGroupId: { 'Fn::GetAtt': [logicalIdOf('AWS::EC2::SecurityGroup', 'ServiceSg'), 'GroupId'] },
      }),
    ]);
    expect(s.template.toJSON().Resources[cacheSg].Properties.SecurityGroupIngress).toBeUndefined();
  });
});

describe('task role', () => {
  function taskRoleStatements(): any[] {
    const roleRef = taskDefinition().TaskRoleArn['Fn::GetAtt'][0] as string;
    const role = s.template.toJSON().Resources[roleRef].Properties;
    expect(role.ManagedPolicyArns ?? []).toEqual([]);
    const inline = asArray<any>(role.Policies).flatMap((p) => asArray(p.PolicyDocument.Statement));
    const attached = [
      ...resourcesOfType(s.template, 'AWS::IAM::Policy'),
      ...resourcesOfType(s.template, 'AWS::IAM::ManagedPolicy'),
    ]
      .filter(([, p]) => asArray<any>(p.Properties.Roles).some((r) => r.Ref === roleRef))
      .flatMap(([, p]) => asArray(p.Properties.PolicyDocument.Statement));
    return [...inline, ...attached];
  }

  it('may only read the recordings bucket: s3:GetObject on objects and s3:ListBucket on the bucket', () => {
    const statements = taskRoleStatements();
    const s3Actions = statements
      .flatMap((st) => asArray<string>(st.Action))
      .filter((a) => a.startsWith('s3:') || a === '*');
    expect(new Set(s3Actions)).toEqual(new Set(['s3:GetObject', 's3:ListBucket']));
    for (const a of s3Actions) expect(a).not.toMatch(/\*|Put|Delete/);
    for (const st of statements) {
      expect(st.Effect).toBe('Allow');
      expect(st.NotAction).toBeUndefined();
    }

    const bucketId = logicalIdOf('AWS::S3::Bucket', 'Recordings');
    const byAction = (action: string) =>
      only(
        statements.filter((st) => asArray(st.Action).includes(action)),
        action,
      );
    expect(flatten(byAction('s3:GetObject').Resource)).toBe(`<GetAtt:${bucketId}.Arn>/*`);
    expect(byAction('s3:ListBucket').Resource).toEqual({ 'Fn::GetAtt': [bucketId, 'Arn'] });
  });

  it('imports the bucket named by the recordingsBucket context and still only reads it', () => {
    const imported = synth({ context: { recordingsBucket: 'my-recordings', recordingsBucketRegion: 'eu-west-1' } });
    imported.template.resourceCountIs('AWS::S3::Bucket', 0);
    const policies = resourcesOfType(imported.template, 'AWS::IAM::Policy').flatMap(([, p]) =>
      asArray<any>(p.Properties.PolicyDocument.Statement),
    );
    const s3 = policies.filter((st) => asArray<string>(st.Action).some((a) => a.startsWith('s3:')));
    expect(s3.map((st) => [st.Action, flatten(st.Resource)])).toEqual([
      ['s3:GetObject', 'arn:aws:s3:::my-recordings/*'],
      ['s3:ListBucket', 'arn:aws:s3:::my-recordings'],
    ]);
    const [, td] = only(resourcesOfType(imported.template, 'AWS::ECS::TaskDefinition'), 'task definition');
    const env = Object.fromEntries(
      (td.Properties.ContainerDefinitions[0].Environment as any[]).map((e) => [e.Name, e.Value]),
    );
    expect(env).toMatchObject({ S3_BUCKET: 'my-recordings', S3_REGION: 'eu-west-1' });
  });

  it('creates a private, encrypted, TLS-only bucket when no recordingsBucket is given', () => {
    s.template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: Match.objectLike({}),
    });
    s.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

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
