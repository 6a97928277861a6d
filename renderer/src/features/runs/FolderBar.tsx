import { useState } from 'react';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { errorOf } from '../../state/request.ts';
import { useStore } from '../../state/useStore.ts';

/** Whether a typed folder is in object storage (`s3://bucket/prefix`). */
function isBucketUrl(text: string): boolean {
  return /^s3:\/\/[^/\s]/i.test(text.trim());
}

/** The last path segment, which is how people name their log folders. */
function folderName(folder: string): string {
  return folder.split(/[\\/]/).filter(Boolean).at(-1) ?? folder;
}

/**
 * The opened folders (remembered across restarts): close one, or open another through the
 * folder dialog on the desktop, or by typing a path on the serving machine in web mode, or an
 * `s3://bucket/prefix` in either.
 */
export function FolderBar() {
  const folders = useStore((state) => state.listing.folders);
  const folderErrors = useStore((state) => state.listing.folderErrors);
  const error = useStore((state) => errorOf(state.folderChange));
  const addFolder = useStore((state) => state.addFolder);
  const removeFolder = useStore((state) => state.removeFolder);
  const desktop = useStore((state) => state.desktop);
  const [path, setPath] = useState('');

  return (
    <section className="folder-bar" aria-label="Folders">
      <ul aria-label="Opened folders">
        {folders.map((folder) => (
          <li key={folder} title={folder} className={folderErrors[folder] ? 'folder-missing' : ''}>
            <span className="folder-name">{folderName(folder)}</span>
            {folderErrors[folder] && (
              <span className="folder-error" role="status">
                {folderErrors[folder].message}
              </span>
            )}
            <button
              type="button"
              className="link"
              aria-label={`Close folder ${folder}`}
              onClick={() => void removeFolder(folder)}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      {desktop && (
        <button type="button" onClick={() => void addFolder(null)}>
          Open folder…
        </button>
      )}
      {/* A bucket folder is typed (the desktop confirms it in a native dialog); in web mode so is
          a folder on the serving machine. Credentials stay in the back end. */}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void addFolder(path.trim()).then(() => {
            if (useStore.getState().folderChange.phase === 'ready') setPath('');
          });
        }}
      >
        <input
          aria-label={desktop ? 'Bucket folder' : 'Folder path'}
          placeholder={
            desktop ? 's3://bucket/prefix' : 'Folder of logs on the server, or s3://bucket/prefix'
          }
          value={path}
          onChange={(event) => setPath(event.target.value)}
        />
        <button type="submit" disabled={desktop ? !isBucketUrl(path) : path.trim() === ''}>
          {desktop ? 'Open bucket folder' : 'Open folder'}
        </button>
      </form>
      {error && <ErrorNotice error={error} />}
    </section>
  );
}
