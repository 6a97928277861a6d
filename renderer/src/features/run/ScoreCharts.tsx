import { memo, useMemo } from 'react';
import { BarChart } from '../../components/BarChart.tsx';
import { scoreDistribution } from '../../lib/scoreDistribution.ts';
import type { SampleRow } from '../../state/runStream.ts';

/** One bar chart per scorer: how its values are spread over the samples read so far. */
export const ScoreCharts = memo(function ScoreCharts({
  rows,
  scorers,
}: {
  rows: ReadonlyArray<SampleRow>;
  scorers: ReadonlyArray<string>;
}) {
  const charts = useMemo(
    () =>
      scorers.flatMap((scorer) => {
        const bars = scoreDistribution(rows.map((row) => row.facts.scores[scorer]));
        return bars ? [{ scorer, bars }] : [];
      }),
    [rows, scorers],
  );
  if (charts.length === 0) return null;
  return (
    <details className="score-charts" open>
      <summary>Score distribution</summary>
      <div className="charts">
        {charts.map(({ scorer, bars }) => (
          <BarChart key={scorer} title={scorer} bars={bars} />
        ))}
      </div>
    </details>
  );
});
