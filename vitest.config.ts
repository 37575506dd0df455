import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['spms/**/*.test.ts', 'certs/**/*.test.ts', 'daemon/**/*.test.ts', 'bin/**/*.test.ts', 'measures/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['node_modules/**', 'test/vm/**', 'app/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
