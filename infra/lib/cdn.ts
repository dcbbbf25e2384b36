import * as cdk from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

export interface PlaybackDistributionOptions {
  /** The internal ALB CloudFront reaches through a VPC origin. */
  loadBalancer: elbv2.IApplicationLoadBalancer;
  /** ORIGIN_VERIFY_SECRET, sent as X-Origin-Verify on every origin request. */
  originVerify: secretsmanager.ISecret;
  /** Longer than the origin's request wait, so viewers get the origin's own 503 rather than a 504. */
  originReadTimeout: cdk.Duration;
}

/** CloudFront, the only public entry: `/play/*` to the origin with Origin Shield, everything else 404 at the edge. */
export function playbackDistribution(stack: cdk.Stack, o: PlaybackDistributionOptions): cloudfront.Distribution {
  // Cache key: the path only. Playback paths are immutable and content-addressed by revision id,
  // so no cookie, query string or header may split the cache. TTLs follow the origin's
  // Cache-Control (max-age=86400 for media, 10 for 4xx, no-store for 503); the default applies when
  // the origin sends none. Accept-Encoding is not in the key: media is not compressed.
  const cachePolicy = new cloudfront.CachePolicy(stack, 'PlayCachePolicy', {
    comment: 'avserver /play/*: path-only key, honours origin Cache-Control',
    defaultTtl: cdk.Duration.seconds(86400),
    maxTtl: cdk.Duration.seconds(86400),
    minTtl: cdk.Duration.seconds(0),
    cookieBehavior: cloudfront.CacheCookieBehavior.none(),
    queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
    headerBehavior: cloudfront.CacheHeaderBehavior.none(),
    enableAcceptEncodingGzip: false,
    enableAcceptEncodingBrotli: false,
  });
  // No cookies or query strings reach the origin. The one viewer header forwarded is
  // Access-Control-Request-Headers, which only CORS preflights (OPTIONS, never cached) carry: the
  // origin echoes it in Access-Control-Allow-Headers. It is not part of the cache key.
  const originRequestPolicy = new cloudfront.OriginRequestPolicy(stack, 'PlayOriginRequestPolicy', {
    comment: 'avserver /play/*: no cookies or query strings; CORS preflight header only',
    cookieBehavior: cloudfront.OriginRequestCookieBehavior.none(),
    queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.none(),
    headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList('Access-Control-Request-Headers'),
  });

  // X-Origin-Verify: CloudFormation resolves the dynamic reference at deploy time, so the value is
  // not in the template or the CDK output. Trade-off: it is stored in plain text in the
  // distribution config (visible to anyone allowed cloudfront:GetDistributionConfig), and rotating
  // the secret takes a redeploy of this stack plus new tasks (ECS reads secrets at task start);
  // during that window /play/* answers 403. Acceptable because the ALB is private anyway: the
  // header is defence in depth against other VPC clients calling /play/* directly.
  const vpcOrigin = origins.VpcOrigin.withApplicationLoadBalancer(o.loadBalancer, {
    vpcOriginName: `${stack.stackName}-alb`,
    protocolPolicy: cloudfront.OriginProtocolPolicy.HTTP_ONLY,
    httpPort: 80,
    originShieldEnabled: true,
    originShieldRegion: stack.region,
    customHeaders: { 'X-Origin-Verify': o.originVerify.secretValue.unsafeUnwrap() },
    // Longer than the origin's request wait (25 s) so viewers get the origin's own 503 (no-store),
    // not a CloudFront 504.
    readTimeout: o.originReadTimeout,
    keepaliveTimeout: cdk.Duration.seconds(30),
  });

  // Everything outside /play/* (including the mint API, /v1/*, and /healthz) answers 404 at the
  // edge: the default behaviour runs this function on viewer request and never reaches the origin.
  const notFound = new cloudfront.Function(stack, 'EdgeNotFound', {
    comment: 'avserver: only /play/* is served through CloudFront',
    runtime: cloudfront.FunctionRuntime.JS_2_0,
    code: cloudfront.FunctionCode.fromInline(
      [
        'function handler(event) {',
        "  return { statusCode: 404, statusDescription: 'Not Found', headers: { 'cache-control': { value: 'no-store' } } };",
        '}',
      ].join('\n'),
    ),
  });

  return new cloudfront.Distribution(stack, 'Cdn', {
    comment: `avserver playback (${stack.stackName})`,
    httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
    enableIpv6: true,
    defaultBehavior: {
      origin: vpcOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      compress: false,
      functionAssociations: [{ function: notFound, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
    },
    additionalBehaviors: {
      '/play/*': {
        origin: vpcOrigin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
        cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
        cachePolicy,
        originRequestPolicy,
        // CORS headers come from the origin; no response headers policy.
        compress: false,
      },
    },
    // Error caching: 4xx for 10 s (the origin's own max-age=10; body and status unchanged, so no
    // responsePagePath). 5xx are not cached: the origin marks its overload 503 no-store, and a
    // cached 502/504 would outlive the incident.
    errorResponses: [
      ...[400, 403, 404, 416].map((httpStatus) => ({ httpStatus, ttl: cdk.Duration.seconds(10) })),
      ...[500, 502, 503, 504].map((httpStatus) => ({ httpStatus, ttl: cdk.Duration.seconds(0) })),
    ],
  });
}
