import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Multi-process suites share CPU on a two-core machine: run test files one at a time.
    fileParallelism: false,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      // The web console's component tests (React in jsdom): project 'web', configured in web/.
      'web/vitest.config.ts',
    ],
  },
});
