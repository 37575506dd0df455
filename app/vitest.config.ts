// Component tests of the renderer: Svelte components mounted in jsdom.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [svelte()],
  resolve: { conditions: ['browser'] },
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['app/renderer/src/**/*.test.ts'],
    environment: 'jsdom',
  },
});
