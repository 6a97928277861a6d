import { mkdir, readFile, realpath, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileError } from '../io/fileErrors.ts';
import { SalvageError } from '../../../shared/util/errors.ts';
import { writeFileAtomically } from '../io/atomicFile.ts';
import { assertPathText } from '../io/pathGuard.ts';
import { isS3Url, normalS3Url, parseS3Url } from '../s3/s3Url.ts';

/** What `folders.json` holds. */
interface FoldersFile {
  readonly version: 1;
  readonly folders: ReadonlyArray<string>;
}

/**
 * The folders the user opened, remembered across restarts in `folders.json` (Salvage's data
 * directory). Every path argument from the renderer must lie under one of them, so only the user
 * adds one: through the native folder dialog on the desktop, by typing a path in web mode (where
 * the URL's token already stands for the user).
 */
export class OpenedFolders {
  private readonly file: string;
  private folders: string[];
  private readonly listeners = new Set<(folders: ReadonlyArray<string>) => void>();

  private constructor(file: string, folders: string[]) {
    this.file = file;
    this.folders = folders;
  }

  /**
   * The remembered folders, with `initial` (the folder named on the command line, or the demo
   * folder) first if it is not among them yet. An unreadable or damaged file is set aside as
   * `folders.json.damaged`, never silently overwritten.
   */
  static async load(file: string, initial: ReadonlyArray<string> = []): Promise<OpenedFolders> {
    const remembered = await readFoldersFile(file);
    const opened = new OpenedFolders(file, [...remembered]);
    for (const folder of [...initial].reverse()) {
      const real = await canonical(folder);
      if (!opened.folders.includes(real)) opened.folders.unshift(real);
    }
    if (opened.folders.length !== remembered.length) await opened.save();
    return opened;
  }

  list(): ReadonlyArray<string> {
    return [...this.folders];
  }

  /**
   * Open a folder (a directory that exists, or an `s3://bucket/prefix` the credentials may list);
   * opening one already open changes nothing.
   */
  async add(path: string): Promise<ReadonlyArray<string>> {
    const real = await canonical(path);
    if (isS3Url(real)) {
      // Loaded for a bucket only: the S3 modules bring the AWS SDK (see openLogSource).
      const { checkFolder } = await import('../s3/bucketListing.ts');
      await checkFolder(parseS3Url(real));
    } else {
      const info = await stat(real);
      if (!info.isDirectory())
        throw new SalvageError('not-a-folder', `${path} is a file, not a folder.`);
    }
    if (!this.folders.includes(real)) {
      this.folders.push(real);
      await this.changed();
    }
    return this.list();
  }

  /** Close a folder: its runs leave the list; nothing on disk changes. */
  async remove(folder: string): Promise<ReadonlyArray<string>> {
    const index = this.folders.indexOf(folder);
    if (index < 0) throw new SalvageError('not-found', `${folder} is not an opened folder.`);
    this.folders.splice(index, 1);
    await this.changed();
    return this.list();
  }

  /** Called after every add or remove (the folder watcher restarts on it). */
  onChange(listener: (folders: ReadonlyArray<string>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async changed(): Promise<void> {
    await this.save();
    for (const listener of this.listeners) listener(this.list());
  }

  private async save(): Promise<void> {
    const content: FoldersFile = { version: 1, folders: this.folders };
    await mkdir(dirname(this.file), { recursive: true });
    await writeFileAtomically(
      this.file,
      async (handle) => {
        await handle.write(`${JSON.stringify(content, null, 2)}\n`);
      },
      { overwrite: true },
    );
  }
}

/** A folder written one way: its real path, or its `s3://` URL (no trailing `/`). */
async function canonical(path: string): Promise<string> {
  if (isS3Url(path)) return normalS3Url(path);
  assertPathText(path);
  try {
    return await realpath(resolve(path));
  } catch (error) {
    throw fileError(error, `the folder ${path}`);
  }
}

async function readFoldersFile(file: string): Promise<ReadonlyArray<string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  try {
    const parsed = JSON.parse(text) as Partial<FoldersFile>;
    if (
      parsed.version === 1 &&
      Array.isArray(parsed.folders) &&
      parsed.folders.every((folder) => typeof folder === 'string')
    ) {
      return [...new Set(parsed.folders)];
    }
  } catch {
    // Falls through: the file is kept aside below.
  }
  // Not ours or damaged: keep its bytes, start with no remembered folders.
  await writeFileAtomically(
    `${file}.damaged`,
    async (handle) => {
      await handle.write(text);
    },
    { overwrite: true },
  );
  return [];
}
