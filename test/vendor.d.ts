/** s3rver ships no type declarations; the tests use it untyped. */
declare module 's3rver';
