// ESLint (with typescript-eslint) for what a formatter cannot see; Prettier owns the layout.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'coverage/',
      '.tmp/',
      'infra/cdk.out/',
      'infra/node_modules/',
      'bench/.cache/',
      'bench/results/',
      'fixtures/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // `_`-prefixed parameters and destructured names are deliberately unused.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Tests and benchmarks read synthesised CloudFormation and JSON they did not type.
    files: ['test/**', 'bench/**', 'infra/test/**', 'src/**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The player page's classic scripts run in the browser.
    files: ['test/helpers/player-page/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser, Hls: 'readonly', shaka: 'readonly' } },
  },
  {
    // The playground's page: browser modules, no build step.
    files: ['src/http/playground/page/**/*.js'],
    languageOptions: { sourceType: 'module', globals: { ...globals.browser, Hls: 'readonly', shaka: 'readonly' } },
  },
);
