import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { CONTENT_SECURITY_POLICY_META } from './shared/security/contentSecurityPolicy.ts';

/** The page's `<meta>` carries the one policy the window and the web server send too. */
const contentSecurityPolicy: Plugin = {
  name: 'salvage-content-security-policy',
  transformIndexHtml: (html) => html.replace('%SALVAGE_CSP%', CONTENT_SECURITY_POLICY_META),
};

// The renderer bundle: the same build serves the desktop window and web mode.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react(), contentSecurityPolicy],
  // The app's own bundle carries markdown and sanitizing (every sample needs them); highlighting,
  // math and charts load on demand in chunks of their own.
  build: { outDir: '../out/renderer', emptyOutDir: true, chunkSizeWarningLimit: 700 },
});
