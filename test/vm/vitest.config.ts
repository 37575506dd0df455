import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// The opt-in VM suite (npm run test:vm): real images, real libvirt, real VMs
// under whatever accelerator the host offers; minutes, not seconds.
export default defineConfig({
  test: {
    root: resolve(import.meta.dirname, '../..'),
    include: ['test/vm/**/*.test.ts'],
    testTimeout: 20 * 60_000,
    hookTimeout: 20 * 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
