import { LIMITS } from './limits.js';

/**
 * Rules for object keys (S3 keys and paths under MEDIA_ROOT). A key names an object inside the
 * bucket or media root, never outside it. Returns a problem description, or undefined when valid.
 */
export function objectKeyProblem(key: string): string | undefined {
  if (key.length === 0) return 'must not be empty';
  // `s3://bucket/a.mp4`, `https://…`, `file:///…`: the commonest slip, which the rules below would call "empty segments".
  const url = /^[a-z][a-z0-9+.-]*:\/\/([^/]*)\/?(.*)$/i.exec(key);
  if (url) {
    const hint = /^s3:/i.test(key) && url[2] ? ` (for ${key}, send ${JSON.stringify(url[2])})` : '';
    return `a source is an object key relative to MEDIA_ROOT or the bucket, not a URL${hint}`;
  }
  if (key.length > LIMITS.objectKeyCharacters) return `must be at most ${LIMITS.objectKeyCharacters} characters`;
  // Control characters break logs, S3 signing and filesystem paths alike.
  // eslint-disable-next-line no-control-regex -- finding them is the point
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'must not contain control characters';
  if (key.startsWith('/') || key.startsWith('\\') || /^[a-zA-Z]:/.test(key))
    return 'must be a relative key, not an absolute path';
  if (key.includes('\\')) return 'must use / as the separator';
  const parts = key.split('/');
  if (parts.some((p) => p === '..' || p === '.')) return 'must not contain . or .. segments';
  if (parts.some((p) => p === '')) return 'must not contain empty segments';
  return undefined;
}
