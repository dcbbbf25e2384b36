// The synthesised stack, CloudFront: the only public entry, caching and the origin it reaches.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStack, distributionConfig, flatten, logicalIdOf, only, removeOutdirs, type Synth } from './helpers';

let s: Synth;
beforeAll(() => {
  s = defaultStack();
});
afterAll(removeOutdirs);

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
