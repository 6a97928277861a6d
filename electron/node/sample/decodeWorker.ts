import { enableCompileCache } from 'node:module';

// A DecodeThread's entry (see readerWorker.ts for why the compile cache goes on first).
enableCompileCache();
await import('./decodeWorkerThread.ts');
