// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Node built-ins and I/O libraries that must never reach workflow code: workflows run in a deterministic
// sandbox, and anything that touches the network, disk or clock there breaks replay.
const nodeBuiltins = [
  'assert',
  'async_hooks',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'readline',
  'stream',
  'timers',
  'tls',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];
const ioPackages = [
  '**/local/*',
  // redis/ holds Redis clients; its address parser alone is pure (the input schema and the switch step use it).
  '**/redis/*',
  '!**/redis/address.js',
  'undici',
  'ioredis',
  'hono',
  '@hono/*',
  'pino',
  'commander',
  'yaml',
  'get-port',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@temporalio/testing',
  '@temporalio/envconfig',
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', 'dist/**', 'test-artifacts/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code is deterministic: no Node built-ins.' })),
          patterns: [
            { group: ['node:*'], message: 'Workflow code is deterministic: no Node built-ins.' },
            { group: ioPackages, message: 'Workflow code may not import I/O libraries; call an activity instead.' },
            {
              group: ['**/dcs/*', '**/dcs', '**/emulator/*', '**/activities/*'],
              allowTypeImports: true,
              message: 'Workflows import only types from dcs/, emulator/ and activities/.',
            },
          ],
        },
      ],
    },
  },
);
