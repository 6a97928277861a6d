import { useEffect, useRef } from 'react';
import type { Chart } from 'chart.js';
import type { ScoreBar } from '../lib/scoreDistribution.ts';
import type { ScoreTone } from '../lib/scoreTone.ts';

const TONE_COLOURS: Readonly<Record<ScoreTone, string>> = {
  good: '#22a06b',
  bad: '#e5484d',
  partial: '#f5a524',
  neutral: '#8094ae',
};

/**
 * A bar chart drawn by Chart.js, loaded on first use (it stays out of the bundle that opens the
 * app). The canvas carries the counts as text for screen readers and tests.
 */
export function BarChart({ title, bars }: { title: string; bars: ReadonlyArray<ScoreBar> }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'bar'> | null>(null);
  useEffect(() => {
    let cancelled = false;
    void import('chart.js').then(
      ({ Chart, BarController, BarElement, CategoryScale, LinearScale, Tooltip }) => {
        if (cancelled || !canvas.current) return;
        Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);
        const data = {
          labels: bars.map((bar) => bar.label),
          datasets: [
            {
              label: title,
              data: bars.map((bar) => bar.count),
              backgroundColor: bars.map((bar) => TONE_COLOURS[bar.tone]),
            },
          ],
        };
        if (chart.current) {
          chart.current.data = data;
          chart.current.update('none');
          return;
        }
        chart.current = new Chart(canvas.current, {
          type: 'bar',
          data,
          options: {
            animation: false,
            responsive: false,
            plugins: { tooltip: { enabled: true } },
            scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
          },
        });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [title, bars]);
  useEffect(
    () => () => {
      chart.current?.destroy();
      chart.current = null;
    },
    [],
  );
  const summary = bars.map((bar) => `${bar.label}: ${bar.count}`).join(', ');
  return (
    <figure className="score-chart">
      <figcaption>{title}</figcaption>
      <canvas
        ref={canvas}
        width={260}
        height={120}
        role="img"
        aria-label={`${title}: ${summary}`}
      />
    </figure>
  );
}
