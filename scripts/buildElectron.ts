import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { build, type InlineConfig } from 'vite';

/**
 * Bundle the Electron main process (ES module) and preload (CommonJS, as a sandboxed preload must
 * be) into `out/`. Electron runs JavaScript, not our TypeScript sources; Node builtins, Electron
 * and the runtime dependencies stay outside the bundle and are loaded from `node_modules`.
 */
const packageJson = JSON.parse(readFileSync('package.json', 'utf8')) as {
  dependencies: Record<string, string>;
};
const external = [
  'electron',
  ...builtinModules,
  ...builtinModules.map((name) => `node:${name}`),
  ...Object.keys(packageJson.dependencies),
].flatMap((name) => [name, new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/`)]);

function bundle(
  entry: string,
  outDir: string,
  format: 'es' | 'cjs',
  fileName: string,
): InlineConfig {
  return {
    configFile: false,
    logLevel: 'warn',
    build: {
      ssr: true,
      target: 'node22',
      outDir,
      emptyOutDir: true,
      minify: false,
      sourcemap: true,
      rollupOptions: {
        input: entry,
        external,
        output: { format, entryFileNames: fileName },
      },
    },
  };
}

await build(bundle('electron/main/index.ts', 'out/main', 'es', 'index.js'));
// The listing's worker threads load their own module, beside the main bundle (a folder of its
// own: each build empties its folder).
await build(bundle('electron/node/logs/readerWorker.ts', 'out/reader', 'es', 'readerWorker.js'));
// The thread that decodes a large sample beside its index's scan.
await build(bundle('electron/node/sample/decodeWorker.ts', 'out/decode', 'es', 'decodeWorker.js'));
await build(bundle('electron/preload/index.ts', 'out/preload', 'cjs', 'index.cjs'));
// The search index's worker thread: a script of its own, started by the main process.
await build(bundle('electron/node/search/searchWorker.ts', 'out/worker', 'es', 'searchWorker.js'));
console.log(
  'electron: bundled out/main/index.js, out/preload/index.cjs, out/worker/searchWorker.js, out/reader/readerWorker.js and out/decode/decodeWorker.js',
);
