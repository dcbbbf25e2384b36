import * as path from 'node:path';
import * as cdk from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { originAlarms } from './alarms';
import { playbackDistribution } from './cdn';
import type { AvserverConfig } from './config';
import { adotCollectorConfig } from './metrics-sidecar';

/** Repository root: the build context of the origin's Dockerfile. infra/ never imports ../src. */
export const REPO_ROOT = path.join(__dirname, '..', '..');

/**
 * Kept out of the image build context (and out of the asset hash, so synth stays fast and the
 * hash changes only when the image's inputs do). The repo's .dockerignore is applied as well.
 */
export const IMAGE_ASSET_EXCLUDES = [
  'node_modules',
  '**/node_modules',
  'infra/cdk.out',
  'infra/node_modules',
  '.git',
  'bench/.cache',
  'dist',
  '**/cdk.out',
  '.tmp',
  'coverage',
  'bench/results',
];

const CONTAINER_PORT = 8080;
const METRICS_PORT = 9464;
const REDIS_PORT = 6379;
/** The origin holds a playback request at most this long waiting for its job (REQUEST_WAIT_MS). */
const ORIGIN_REQUEST_WAIT = cdk.Duration.seconds(25);
/**
 * How long the ALB keeps an idle connection (to CloudFront and to a task). The origin keeps its own
 * 5 s longer (KEEP_ALIVE_TIMEOUT_MS), so the ALB always closes first and never sends a request on a
 * connection the origin is closing.
 */
const ALB_IDLE_TIMEOUT = cdk.Duration.seconds(60);
export const METRICS_NAMESPACE = 'avserver';

export interface AvserverStackProps extends cdk.StackProps {
  readonly config: AvserverConfig;
  /**
   * Container image of the origin. Default: built from the repository's Dockerfile
   * (`ContainerImage.fromAsset(<repo root>)`). Tests may pass `ContainerImage.fromRegistry(...)`.
   */
  readonly image?: ecs.ContainerImage;
}

export function defaultOriginImage(): ecs.ContainerImage {
  return ecs.ContainerImage.fromAsset(REPO_ROOT, {
    exclude: IMAGE_ASSET_EXCLUDES,
    // Tasks run on X86_64; build for it even from an ARM laptop.
    platform: Platform.LINUX_AMD64,
  });
}

export class AvserverStack extends cdk.Stack {
  readonly distribution: cloudfront.Distribution;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly service: ecs.FargateService;
  readonly taskRole: iam.IRole;

  constructor(scope: Construct, id: string, props: AvserverStackProps) {
    super(scope, id, props);
    const cfg = props.config;
    // Pre-answer the AZ lookup (what `cdk synth` with credentials would cache in cdk.context.json):
    // the VPC checks its zones against the stack's, and an unanswered lookup needs AWS credentials.
    const azKey = `availability-zones:account=${this.account}:region=${this.region}`;
    if (this.node.tryGetContext(azKey) === undefined) this.node.setContext(azKey, cfg.availabilityZones);

    // ---------------------------------------------------------------- network
    // Two AZs named explicitly (no AZ lookup, so synth needs no credentials). The public subnets
    // hold the NAT gateway(s); their internet gateway is also a prerequisite of CloudFront VPC
    // origins. Everything else lives in the private subnets.
    const vpc = new ec2.Vpc(this, 'Vpc', {
      availabilityZones: cfg.availabilityZones,
      natGateways: cfg.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
      ],
    });
    // Recordings are read from S3 through the gateway endpoint: free, and not through the NAT.
    vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });

    // ---------------------------------------------------------------- secrets
    const apiToken = new secretsmanager.Secret(this, 'ApiToken', {
      description: 'avserver AVSERVER_API_TOKEN: bearer token of the mint API (/v1/*)',
      generateSecretString: { excludePunctuation: true, passwordLength: 48 },
    });
    const revisionSecret = new secretsmanager.Secret(this, 'RevisionSecret', {
      description: 'avserver REVISION_SECRET: derives revision ids; losing it breaks every minted URL',
      generateSecretString: { excludePunctuation: true, passwordLength: 48 },
      removalPolicy: cdk.RemovalPolicy.RETAIN,
    });
    const originVerify = new secretsmanager.Secret(this, 'OriginVerifySecret', {
      description: 'avserver ORIGIN_VERIFY_SECRET: value CloudFront sends in X-Origin-Verify',
      generateSecretString: { excludePunctuation: true, passwordLength: 48 },
    });
    // Redis AUTH forbids some punctuation (@, ", /, space): letters and digits only.
    const redisAuthToken = new secretsmanager.Secret(this, 'RedisAuthToken', {
      description: 'avserver REDIS_AUTH_TOKEN: ElastiCache AUTH token',
      generateSecretString: { excludePunctuation: true, passwordLength: 32 },
    });

    // ---------------------------------------------------------------- recordings bucket
    const bucket: s3.IBucket = cfg.recordingsBucket
      ? s3.Bucket.fromBucketName(this, 'Recordings', cfg.recordingsBucket)
      : new s3.Bucket(this, 'Recordings', {
          blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
          encryption: s3.BucketEncryption.S3_MANAGED,
          enforceSSL: true,
          versioned: true,
          removalPolicy: cdk.RemovalPolicy.RETAIN,
        });
    const bucketRegion = cfg.recordingsBucketRegion ?? this.region;

    // ---------------------------------------------------------------- security groups
    // The ALB has no internet-facing side at all (internal scheme, private subnets). It admits
    // port 80 from inside the VPC only: that covers the CloudFront VPC origin, whose ENIs
    // CloudFront places in this VPC's subnets (security group CloudFront-VPCOrigins-Service-SG,
    // whose id CloudFormation does not expose), and the main application calling /v1/* from the
    // VPC. Clients in a peered network are added explicitly with the apiClientCidrs context.
    const albSg = new ec2.SecurityGroup(this, 'AlbSg', {
      vpc,
      description: 'avserver internal ALB: port 80 from the VPC (CloudFront VPC origin, API clients)',
      allowAllOutbound: false,
    });
    albSg.addIngressRule(
      ec2.Peer.ipv4(vpc.vpcCidrBlock),
      ec2.Port.tcp(80),
      'CloudFront VPC origin ENIs and in-VPC API clients',
    );
    for (const cidr of cfg.apiClientCidrs) {
      if (cidr === '0.0.0.0/0' || cidr === '::/0')
        throw new Error('apiClientCidrs: the internal ALB must not admit the whole internet');
      albSg.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(80), `API client ${cidr}`);
    }
    const serviceSg = new ec2.SecurityGroup(this, 'ServiceSg', {
      vpc,
      description: 'avserver tasks: port 8080 from the ALB only',
      allowAllOutbound: true,
    });
    const cacheSg = new ec2.SecurityGroup(this, 'CacheSg', {
      vpc,
      description: 'avserver ElastiCache: 6379 from the avserver tasks only',
      allowAllOutbound: false,
    });
    cacheSg.addIngressRule(serviceSg, ec2.Port.tcp(REDIS_PORT), 'avserver tasks');

    // ---------------------------------------------------------------- ElastiCache (Valkey/Redis)
    const cacheSubnets = new elasticache.CfnSubnetGroup(this, 'CacheSubnets', {
      description: 'avserver cache: private subnets',
      subnetIds: vpc.privateSubnets.map((s) => s.subnetId),
    });
    const cache = new elasticache.CfnReplicationGroup(this, 'Cache', {
      replicationGroupDescription: 'avserver revisions and job coordination',
      engine: cfg.cacheEngine,
      engineVersion: cfg.cacheEngine === 'valkey' ? '8.0' : '7.1',
      cacheNodeType: cfg.cacheNodeType,
      numCacheClusters: 2,
      multiAzEnabled: true,
      automaticFailoverEnabled: true,
      transitEncryptionEnabled: true,
      atRestEncryptionEnabled: true,
      // A CloudFormation dynamic reference: the token is resolved by CloudFormation at deploy time
      // and never appears in the synthesised template.
      authToken: redisAuthToken.secretValue.unsafeUnwrap(),
      cacheSubnetGroupName: cacheSubnets.ref,
      securityGroupIds: [cacheSg.securityGroupId],
      port: REDIS_PORT,
      snapshotRetentionLimit: 5,
    });

    // ---------------------------------------------------------------- ECS
    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    const logGroup = new logs.LogGroup(this, 'OriginLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: cdk.RemovalPolicy.RETAIN,
    });
    // The ADOT sidecar writes the origin's Prometheus metrics here as CloudWatch embedded metric
    // format (EMF) records; CloudWatch turns them into metrics in the `avserver` namespace.
    const metricsLogGroup = new logs.LogGroup(this, 'MetricsLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });

    // 2 vCPU / 4 GB: one task makes a 4.27 s 720p segment in ~1.1 s and a 1080p one in ~1.45 s.
    // Ephemeral storage holds WORK_DIR (ffmpeg temp files).
    const taskDef = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: 2048,
      memoryLimitMiB: 4096,
      ephemeralStorageGiB: 50,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    this.taskRole = taskDef.taskRole;

    // Read-only access to the recordings, written out by hand: grantRead() would also add
    // s3:GetBucket* / s3:GetObject* / s3:List* wildcards the origin does not need.
    taskDef.addToTaskRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadRecordings',
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects('*')],
      }),
    );
    taskDef.addToTaskRolePolicy(
      new iam.PolicyStatement({
        sid: 'ListRecordings',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
      }),
    );
    // The metrics sidecar writes EMF records to its own log group.
    taskDef.addToTaskRolePolicy(
      new iam.PolicyStatement({
        sid: 'WriteEmfMetrics',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [metricsLogGroup.logGroupArn, `${metricsLogGroup.logGroupArn}:*`],
      }),
    );

    const origin = taskDef.addContainer('origin', {
      image: props.image ?? defaultOriginImage(),
      essential: true,
      portMappings: [{ containerPort: CONTAINER_PORT, protocol: ecs.Protocol.TCP, name: 'http' }],
      environment: {
        HOST: '0.0.0.0',
        PORT: String(CONTAINER_PORT),
        WORK_DIR: '/tmp/avserver',
        S3_BUCKET: bucket.bucketName,
        S3_REGION: bucketRegion,
        // No credentials in the URL: composing rediss://:<token>@host would need the token in plain
        // text in the task definition (or a custom resource to build a second secret). The origin
        // sends AUTH with REDIS_AUTH_TOKEN instead, which ECS injects from Secrets Manager.
        REDIS_URL: `rediss://${cache.attrPrimaryEndPointAddress}:${cache.attrPrimaryEndPointPort}`,
        // Prometheus metrics for the sidecar: not in portMappings, not reachable from the ALB.
        METRICS_PORT: String(METRICS_PORT),
        LOG_LEVEL: 'info',
        KEEP_ALIVE_TIMEOUT_MS: String(ALB_IDLE_TIMEOUT.toMilliseconds() + 5000),
      },
      secrets: {
        AVSERVER_API_TOKEN: ecs.Secret.fromSecretsManager(apiToken),
        REVISION_SECRET: ecs.Secret.fromSecretsManager(revisionSecret),
        ORIGIN_VERIFY_SECRET: ecs.Secret.fromSecretsManager(originVerify),
        REDIS_AUTH_TOKEN: ecs.Secret.fromSecretsManager(redisAuthToken),
      },
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'origin' }),
      // ECS sends SIGTERM only after the ALB has drained the target (deregistration delay below);
      // the origin then lets running jobs finish for SHUTDOWN_DRAIN_MS (5 s) and kills leftover ffmpeg.
      // 60 s covers that with room to spare before SIGKILL.
      stopTimeout: cdk.Duration.seconds(60),
    });

    // Metrics sidecar: see metrics-sidecar.ts.
    const adotConfig = adotCollectorConfig({
      metricsPort: METRICS_PORT,
      namespace: METRICS_NAMESPACE,
      region: this.region,
      logGroupName: metricsLogGroup.logGroupName,
      serviceName: this.stackName,
    });
    taskDef.addContainer('metrics', {
      image: ecs.ContainerImage.fromRegistry(cfg.adotImage),
      // A broken collector must not take the origin down with it.
      essential: false,
      cpu: 128,
      memoryReservationMiB: 128,
      environment: { AOT_CONFIG_CONTENT: adotConfig },
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'adot' }),
    });

    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition: taskDef,
      desiredCount: cfg.minCapacity,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [serviceSg],
      assignPublicIp: false,
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: cdk.Duration.seconds(60),
    });

    // ---------------------------------------------------------------- internal ALB
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc,
      internetFacing: false,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroup: albSg,
      dropInvalidHeaderFields: true,
      idleTimeout: ALB_IDLE_TIMEOUT,
    });
    // HTTP only: the ALB is not reachable from the internet; CloudFront terminates viewer TLS and
    // reaches the ALB through the VPC origin. open:false keeps CDK from adding 0.0.0.0/0 ingress.
    const listener = this.loadBalancer.addListener('Http', { port: 80, open: false });
    const targetGroup = listener.addTargets('Origin', {
      port: CONTAINER_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [
        this.service.loadBalancerTarget({ containerName: origin.containerName, containerPort: CONTAINER_PORT }),
      ],
      healthCheck: {
        path: '/healthz',
        healthyHttpCodes: '200',
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
        interval: cdk.Duration.seconds(10),
        timeout: cdk.Duration.seconds(5),
      },
      // A playback request waits at most REQUEST_WAIT_MS (25 s) for its job, then gets the segment
      // or a 503; mint calls are short. 60 s lets every request in flight finish (25 s + transfer)
      // with margin. Jobs themselves may run up to JOB_TIMEOUT_MS (120 s), but nobody waits on a job
      // longer than 25 s, and a job killed at shutdown is simply redone on the next request.
      deregistrationDelay: cdk.Duration.seconds(60),
    });

    // ---------------------------------------------------------------- autoscaling
    // Fast out (60 s), slow in (10 min): transcoding load is bursty (a new revision going live) and
    // a task killed during scale-in drops its running jobs.
    const scaling = this.service.autoScaleTaskCount({ minCapacity: cfg.minCapacity, maxCapacity: cfg.maxCapacity });
    scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: 60,
      scaleOutCooldown: cdk.Duration.seconds(60),
      scaleInCooldown: cdk.Duration.seconds(600),
    });
    // CPU saturates at 100% while requests keep queueing; request count per target catches that.
    // ~55 fresh 720p video segments per minute fill a task, plus audio segments and playlists
    // (cheap): ~150 origin requests/min/task by default (context requestsPerTarget).
    scaling.scaleOnRequestCount('Requests', {
      requestsPerTarget: cfg.requestsPerTarget,
      targetGroup,
      scaleOutCooldown: cdk.Duration.seconds(60),
      scaleInCooldown: cdk.Duration.seconds(600),
    });

    // ---------------------------------------------------------------- CloudFront (cdn.ts)
    this.distribution = playbackDistribution(this, {
      loadBalancer: this.loadBalancer,
      originVerify,
      originReadTimeout: ORIGIN_REQUEST_WAIT.plus(cdk.Duration.seconds(5)),
    });

    // ---------------------------------------------------------------- alarms (alarms.ts)
    const alarmTopic = originAlarms(this, {
      loadBalancer: this.loadBalancer,
      targetGroup,
      alarmEmail: cfg.alarmEmail,
      jobsQueuedThreshold: cfg.jobsQueuedAlarmThreshold,
      namespace: METRICS_NAMESPACE,
    });

    // ---------------------------------------------------------------- outputs
    new cdk.CfnOutput(this, 'DistributionDomainName', {
      description: 'CloudFront domain: playback URLs are https://<this>/play/<revisionId>/...',
      value: this.distribution.distributionDomainName,
    });
    new cdk.CfnOutput(this, 'InternalApiUrl', {
      description: 'Mint API base URL, reachable from inside the VPC only (Authorization: Bearer <api token>)',
      value: `http://${this.loadBalancer.loadBalancerDnsName}/v1/`,
    });
    new cdk.CfnOutput(this, 'ApiTokenSecretArn', { value: apiToken.secretArn });
    new cdk.CfnOutput(this, 'RevisionSecretArn', { value: revisionSecret.secretArn });
    new cdk.CfnOutput(this, 'OriginVerifySecretArn', { value: originVerify.secretArn });
    new cdk.CfnOutput(this, 'RedisAuthTokenSecretArn', { value: redisAuthToken.secretArn });
    new cdk.CfnOutput(this, 'RecordingsBucketName', { value: bucket.bucketName });
    new cdk.CfnOutput(this, 'AlarmTopicArn', { value: alarmTopic.topicArn });
    new cdk.CfnOutput(this, 'OriginLogGroupName', { value: logGroup.logGroupName });
  }
}
