import type { RunStatus } from '../../../shared/model/run.ts';

/** A run's status as people read it: `started` and not running is crashed. */
export function statusLabel(status: RunStatus | null): string {
  return status === 'started' ? 'crashed' : (status ?? 'unreadable');
}

/** A run's status, with crashed (`started`, not running) shown as such. */
export function StatusBadge({ status }: { status: RunStatus | null }) {
  const label = statusLabel(status);
  return (
    <span className={`badge badge-${label}`} data-status={label}>
      {label}
    </span>
  );
}
