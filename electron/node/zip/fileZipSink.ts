import type { FileHandle } from 'node:fs/promises';
import type { ZipSink } from './zipWriter.ts';

/** Write-buffer size: appends are gathered into ~1 MiB writes so many small headers cost few syscalls. */
const WRITE_BUFFER_BYTES = 1024 * 1024;

/** A ZipSink over an open file: buffered appends, positional patches. */
export class FileZipSink implements ZipSink {
  private readonly handle: FileHandle;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private written = 0;

  constructor(handle: FileHandle) {
    this.handle = handle;
  }

  get position(): number {
    return this.written + this.pendingBytes;
  }

  async append(bytes: Uint8Array): Promise<void> {
    this.pending.push(bytes.slice());
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= WRITE_BUFFER_BYTES) await this.flush();
  }

  async writeAt(offset: number, bytes: Uint8Array): Promise<void> {
    await this.flush();
    await writeFully(this.handle, bytes, offset);
  }

  /** Write out buffered appends (call before closing). */
  async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const chunks = this.pending;
    this.pending = [];
    let position = this.written;
    this.written += this.pendingBytes;
    this.pendingBytes = 0;
    for (const chunk of chunks) {
      await writeFully(this.handle, chunk, position);
      position += chunk.length;
    }
  }
}

async function writeFully(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}
