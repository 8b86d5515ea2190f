import react from '@vitejs/plugin-react';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { defineConfig } from 'vite';

/**
 * recharts 2 flattens React fragments with `react-is`; its own copy (18) does not recognise React 19
 * elements, so charts built from fragments (Mantine's AreaChart) would render no series at all.
 * Every import of `react-is` goes to the workspace's copy, which matches React 19.
 */
export const reactIsAlias = {
  'react-is': dirname(createRequire(import.meta.url).resolve('react-is/package.json')),
};

/**
 * The console is a static single-page app: the server serves `dist/web` at `/` (SPA fallback) and the
 * API under `/api`. In dev mode Vite proxies `/api` to a running server (NEBULA_SERVER or :8080).
 */
export default defineConfig({
  plugins: [react()],
  resolve: { alias: reactIsAlias },
  base: '/',
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks: {
          react: ['react', 'react-dom', 'react-router'],
          mantine: ['@mantine/core', '@mantine/hooks', '@mantine/notifications'],
          charts: ['@mantine/charts', 'recharts'],
        },
      },
    },
  },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: process.env.NEBULA_SERVER ?? 'http://127.0.0.1:8080', changeOrigin: true },
    },
  },
});
