/** Done of total as a small bar (indeterminate when the total is unknown). */
export function ProgressBar({ done, total }: { done: number; total: number | null }) {
  const fraction = total ? Math.min(1, done / total) : null;
  return (
    <span className="progress" title={`${done} of ${total ?? '?'}`}>
      <span
        className="progress-fill"
        style={{ width: fraction === null ? '100%' : `${fraction * 100}%` }}
      />
    </span>
  );
}
