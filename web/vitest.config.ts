import react from '@vitejs/plugin-react';
import { defineProject } from 'vitest/config';
import { reactIsAlias } from './vite.config.ts';

/** Component tests: React in jsdom. The root vitest config runs this as the project named `web`. */
export default defineProject({
  plugins: [react()],
  resolve: { alias: reactIsAlias },
  test: {
    name: 'web',
    root: import.meta.dirname,
    include: ['src/**/*.test.{ts,tsx}'],
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    css: false,
    testTimeout: 20_000,
  },
});
