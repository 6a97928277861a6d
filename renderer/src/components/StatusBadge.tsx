import type { RunStatus } from '../../../shared/model/run.ts';

/** A run's status, with crashed (`started`, not running) shown as such. */
export function StatusBadge({ status }: { status: RunStatus | null }) {
  const label = status === 'started' ? 'crashed' : (status ?? 'unreadable');
  return (
    <span className={`badge badge-${label}`} data-status={label}>
      {label}
    </span>
  );
}
