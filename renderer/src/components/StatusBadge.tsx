import type { Liveness, RunStatus } from '../../../shared/model/run.ts';
import { describeLiveness } from '../../../shared/recovery/liveness.ts';
import { statusLabel } from '../state/runsFilter.ts';

/**
 * A run's status, with crashed (`started`, not running) shown as such. A run in a bucket whose
 * running-or-crashed verdict is not sure says so with a `?`, and why in its tooltip.
 */
export function StatusBadge({
  status,
  liveness,
}: {
  status: RunStatus | null;
  liveness?: Liveness | undefined;
}) {
  const label = statusLabel(status);
  return (
    <span
      className={`badge badge-${label}`}
      data-status={label}
      data-confidence={liveness?.confidence}
      title={liveness ? describeLiveness(liveness) : undefined}
    >
      {label}
      {liveness && liveness.confidence !== 'high' ? '?' : ''}
    </span>
  );
}
