import type { TopLevelSpec } from 'vega-lite';

/** One bucket of the metrics window: latency percentiles in ms, error rate in percent (null: no data). */
export interface TimelinePoint {
  time: Date;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  errorRate: number | null;
}

/** Plot width in SVG units: rendered at 2×, the PNG is ~1500 px wide, which Slack previews at ~360 px tall. */
const WIDTH = 640;
const LATENCY_HEIGHT = 200;
const ERROR_HEIGHT = 90;

/**
 * The chart `/fleet metrics` posts: P50/P95/P99 latency over the window with the P95 threshold as a
 * dashed rule, and the error rate below it on the same time axis (UTC).
 */
export function metricsChartSpec(
  points: readonly TimelinePoint[],
  options: { title: string; p95ThresholdMs: number },
): TopLevelSpec {
  const latency = points.flatMap((point) =>
    (['p50', 'p95', 'p99'] as const).flatMap((key) =>
      point[key] === null
        ? []
        : [{ time: point.time.toISOString(), series: key.toUpperCase(), ms: point[key] }],
    ),
  );
  const errors = points.flatMap((point) =>
    point.errorRate === null ? [] : [{ time: point.time.toISOString(), rate: point.errorRate }],
  );
  const x = {
    field: 'time',
    type: 'temporal' as const,
    scale: { type: 'utc' as const },
    axis: { format: '%H:%M', labelFontSize: 12, titleFontSize: 12 },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: options.title, fontSize: 15, anchor: 'start' },
    background: 'white',
    padding: 12,
    vconcat: [
      {
        width: WIDTH,
        height: LATENCY_HEIGHT,
        layer: [
          {
            data: { values: latency },
            mark: { type: 'line', strokeWidth: 2, point: latency.length <= 3 * 12 },
            encoding: {
              x: { ...x, title: null },
              y: {
                field: 'ms',
                type: 'quantitative',
                title: 'Latency (ms)',
                axis: { labelFontSize: 12, titleFontSize: 12 },
              },
              color: {
                field: 'series',
                type: 'nominal',
                title: null,
                scale: { domain: ['P50', 'P95', 'P99'], range: ['#4c78a8', '#f58518', '#b279a2'] },
                legend: { orient: 'top', labelFontSize: 12, symbolStrokeWidth: 3 },
              },
            },
          },
          {
            data: {
              values: [
                { ms: options.p95ThresholdMs, label: `P95 threshold ${formatMs(options.p95ThresholdMs)}` },
              ],
            },
            layer: [
              {
                mark: { type: 'rule', color: '#d62728', strokeDash: [6, 4], strokeWidth: 1.5 },
                encoding: { y: { field: 'ms', type: 'quantitative' } },
              },
              {
                mark: {
                  type: 'text',
                  align: 'left',
                  baseline: 'bottom',
                  dx: 4,
                  dy: -3,
                  color: '#d62728',
                  fontSize: 12,
                  x: 0,
                },
                encoding: { y: { field: 'ms', type: 'quantitative' }, text: { field: 'label' } },
              },
            ],
          },
        ],
      },
      {
        width: WIDTH,
        height: ERROR_HEIGHT,
        data: { values: errors },
        mark: { type: 'area', line: { color: '#d62728' }, color: '#f4a6a6', interpolate: 'linear' },
        encoding: {
          x: { ...x, title: 'Time (UTC)' },
          y: {
            field: 'rate',
            type: 'quantitative',
            title: 'Errors (%)',
            scale: { domainMin: 0 },
            axis: { labelFontSize: 12, titleFontSize: 12, tickCount: 3 },
          },
        },
      },
    ],
  };
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${ms / 1000} s`;
}
