#!/usr/bin/env node
import * as cdk from 'aws-cdk-lib';
import { AvserverStack } from '../lib/avserver-stack';
import { configFromContext } from '../lib/config';

const app = new cdk.App();
const config = configFromContext(app.node);
const stackName = (app.node.tryGetContext('stackName') as string | undefined) ?? 'Avserver';

new AvserverStack(app, stackName, {
  config,
  // Explicit account/region (from context, with offline-safe defaults): no environment-agnostic
  // tokens, and nothing that needs an AWS call at synth time.
  env: { account: config.account, region: config.region },
  description:
    'avserver: just-in-time transcoding origin behind CloudFront (VPC origin, internal ALB, ECS Fargate, ElastiCache)',
});
