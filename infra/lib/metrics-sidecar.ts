// The metrics sidecar. The origin exposes Prometheus metrics on METRICS_PORT; CloudWatch does not
// scrape Prometheus by itself. Options: the CloudWatch agent with its Prometheus support, or the
// AWS Distro for OpenTelemetry (ADOT) collector. ADOT is chosen: its whole configuration fits
// in one environment variable (AOT_CONFIG_CONTENT, no SSM parameter or config file), it can
// rename metrics and add dimensions, and its awsemf exporter writes EMF log records, so the
// task needs only logs:PutLogEvents on one log group (no cloudwatch:PutMetricData).
// Only avserver_jobs_queued is turned into a CloudWatch metric (jobs_queued, dimension
// ServiceName = stack name); add selectors to publish more.

export interface AdotOptions {
  metricsPort: number;
  /** CloudWatch namespace of the metrics. */
  namespace: string;
  region: string;
  /** Log group the EMF records go to. */
  logGroupName: string;
  /** The ServiceName dimension (the stack name). */
  serviceName: string;
}

/** The ADOT collector's configuration (AOT_CONFIG_CONTENT): scrape the origin, publish jobs_queued. */
export function adotCollectorConfig(o: AdotOptions): string {
  return [
    'extensions:',
    '  health_check: {}',
    'receivers:',
    '  prometheus:',
    '    config:',
    '      global:',
    '        scrape_interval: 15s',
    '        scrape_timeout: 5s',
    '      scrape_configs:',
    '        - job_name: avserver',
    '          static_configs:',
    `            - targets: ['127.0.0.1:${o.metricsPort}']`,
    'processors:',
    '  resourcedetection:',
    '    detectors: [env, ecs]',
    '  metricstransform:',
    '    transforms:',
    '      - include: avserver_jobs_queued',
    '        action: update',
    '        new_name: jobs_queued',
    '        operations:',
    // The origin reports queued jobs per priority class (player, lookahead): the alarm watches their sum.
    '          - action: aggregate_labels',
    '            label_set: []',
    '            aggregation_type: sum',
    '          - action: add_label',
    '            new_label: ServiceName',
    `            new_value: ${o.serviceName}`,
    '  batch/metrics:',
    '    timeout: 30s',
    'exporters:',
    '  awsemf:',
    `    namespace: ${o.namespace}`,
    `    region: ${o.region}`,
    `    log_group_name: ${o.logGroupName}`,
    "    log_stream_name: '{TaskId}'",
    '    dimension_rollup_option: NoDimensionRollup',
    '    metric_declarations:',
    '      - dimensions: [[ServiceName]]',
    "        metric_name_selectors: ['^jobs_queued']",
    'service:',
    '  extensions: [health_check]',
    '  pipelines:',
    '    metrics:',
    '      receivers: [prometheus]',
    '      processors: [resourcedetection, metricstransform, batch/metrics]',
    '      exporters: [awsemf]',
    '',
  ].join('\n');
}
