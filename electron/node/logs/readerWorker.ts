import { enableCompileCache } from 'node:module';

// A ReaderPool worker's entry. Run from sources (the CLI, serve, tests), a new thread strips the
// types of every module it loads again, most of a second of CPU per worker: Node's compile cache
// (NODE_COMPILE_CACHE, else the temp folder) keeps the result on disk for the next ones. It must
// be on before the modules load, hence the import after it. Bundled (the desktop app), it costs
// nothing.
enableCompileCache();
await import('./readerThread.ts');
