import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The renderer bundle: the same build serves the desktop window and web mode.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: { outDir: '../out/renderer', emptyOutDir: true },
});
