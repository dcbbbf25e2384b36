import * as cdk from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';

export interface OriginAlarmsOptions {
  loadBalancer: elbv2.ApplicationLoadBalancer;
  targetGroup: elbv2.ApplicationTargetGroup;
  /** Subscribed to the alarm topic when given. */
  alarmEmail?: string;
  /** Average queued jobs per task that raises the alarm. */
  jobsQueuedThreshold: number;
  /** CloudWatch namespace the metrics sidecar publishes jobs_queued in. */
  namespace: string;
}

/** The origin's alarms (5xx rate, p95 latency, job queue depth, healthy tasks) on one SNS topic, returned. */
export function originAlarms(stack: cdk.Stack, o: OriginAlarmsOptions): sns.Topic {
  const alarmTopic = new sns.Topic(stack, 'Alarms', { displayName: 'avserver alarms' });
  if (o.alarmEmail) alarmTopic.addSubscription(new subscriptions.EmailSubscription(o.alarmEmail));
  const notify = new cwActions.SnsAction(alarmTopic);
  const fiveMinutes = cdk.Duration.minutes(5);
  const albMetrics = o.loadBalancer.metrics;

  const errorRate = new cloudwatch.MathExpression({
    label: 'Origin 5xx rate (%)',
    expression: 'IF(requests > 0, 100 * errors / requests, 0)',
    usingMetrics: {
      errors: albMetrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
        statistic: 'Sum',
        period: fiveMinutes,
      }),
      requests: albMetrics.requestCount({ statistic: 'Sum', period: fiveMinutes }),
    },
    period: fiveMinutes,
  });
  const alarms = [
    new cloudwatch.Alarm(stack, 'Origin5xxRate', {
      alarmDescription:
        'More than 1% of origin responses were 5xx over 5 minutes (503 = origin overloaded: check scaling)',
      metric: errorRate,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
    new cloudwatch.Alarm(stack, 'OriginLatencyP95', {
      alarmDescription:
        'p95 origin response time above 5 s over 5 minutes (jobs queueing: cold segments take ~1-1.5 s)',
      metric: albMetrics.targetResponseTime({ statistic: 'p95', period: fiveMinutes }),
      threshold: 5,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
    new cloudwatch.Alarm(stack, 'JobsQueued', {
      alarmDescription: `Average job queue depth per task above ${o.jobsQueuedThreshold} for 5 minutes`,
      metric: new cloudwatch.Metric({
        namespace: o.namespace,
        metricName: 'jobs_queued',
        dimensionsMap: { ServiceName: stack.stackName },
        statistic: 'Average',
        period: cdk.Duration.minutes(1),
      }),
      threshold: o.jobsQueuedThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      // Missing data means the sidecar or the origin stopped reporting: surface it.
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
    }),
    new cloudwatch.Alarm(stack, 'HealthyTasks', {
      alarmDescription: 'Fewer than two healthy origin tasks behind the ALB for 3 minutes',
      metric: o.targetGroup.metrics.healthyHostCount({ statistic: 'Minimum', period: cdk.Duration.minutes(1) }),
      threshold: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    }),
  ];
  for (const alarm of alarms) {
    alarm.addAlarmAction(notify);
    alarm.addOkAction(notify);
  }
  return alarmTopic;
}
