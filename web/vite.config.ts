import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The console is a static single-page app: the server serves `dist/web` at `/` (SPA fallback) and the
 * API under `/api`. In dev mode Vite proxies `/api` to a running server (NEBULA_SERVER or :8080).
 */
export default defineConfig({
  plugins: [react()],
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
