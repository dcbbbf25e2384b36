// The synthesised stack, what is exposed and who may read what: the VPC, the ALB, Redis, the task role.
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asArray,
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

describe('network exposure', () => {
  it('has an internal ALB with a plain-HTTP listener on 80 and no other listener', () => {
    s.template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    s.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      Type: 'application',
      // 60 s, shorter than the origin's keep-alive (65 s, service.test.ts): the ALB closes first.
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'idle_timeout.timeout_seconds', Value: '60' }]),
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
