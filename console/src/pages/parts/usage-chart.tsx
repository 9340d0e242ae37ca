// Tokens per day (one line per model or key) and cost per day (a dashed line on the right axis), drawn by uPlot
// inside a figure named "Usage chart"; sized to its container, so it fits a 390 px screen.
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatCount, formatUsd } from '../../lib/format.ts';
import { toDateValue, type UsageSeries } from '../../lib/usage-series.ts';

const PALETTE = ['#2f7ed8', '#e4572e', '#17a589', '#a569bd', '#f1c40f', '#7f8c8d', '#d35400', '#2ecc71'];

function cssVar(el: Element, name: string, fallback: string): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

/** Whether the page is dark now; the canvas takes its colours from the CSS variables, so it redraws on a switch. */
function useDarkScheme(): boolean {
  const query = '(prefers-color-scheme: dark)';
  const [dark, setDark] = useState(() => matchMedia(query).matches);
  useEffect(() => {
    const list = matchMedia(query);
    const update = () => setDark(list.matches);
    list.addEventListener('change', update);
    return () => list.removeEventListener('change', update);
  }, []);
  return dark;
}

const DAY = 86_400;

function options(el: HTMLElement, s: UsageSeries): uPlot.Options {
  const fg = cssVar(el, '--fg', '#1b1f24');
  const grid = cssVar(el, '--border', '#d5d9df');
  const axis = { stroke: fg, grid: { stroke: grid }, ticks: { stroke: grid } };
  return {
    width: Math.max(280, el.clientWidth),
    height: 280,
    scales: { x: { time: true }, usd: { auto: true } },
    axes: [
      { ...axis, space: 70, incrs: [DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY], values: (_u, ticks) => ticks.map((t) => toDateValue(t).slice(5)) },
      { ...axis, label: 'tokens', values: (_u, ticks) => ticks.map(formatCount) },
      { ...axis, scale: 'usd', side: 1, size: 80, grid: { show: false }, values: (_u, ticks) => ticks.map(formatUsd) },
    ],
    series: [
      { label: 'day', value: (_u: uPlot, v: number | null) => (v === null ? '—' : toDateValue(v)) },
      ...s.groups.map((g, i) => ({ label: g, stroke: PALETTE[i % PALETTE.length], width: 2, points: { show: true } })),
      { label: 'cost (USD)', scale: 'usd', stroke: fg, dash: [6, 4], width: 1.5, value: (_u: uPlot, v: number | null) => (v === null ? '—' : formatUsd(v)) },
    ],
  };
}

export function UsageChart(props: { series: UsageSeries }) {
  const box = useRef<HTMLDivElement>(null);
  const dark = useDarkScheme();
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const s = props.series;
    const plot = new uPlot(options(el, s), [s.days, ...s.tokens, s.cost], el);
    const resize = () => plot.setSize({ width: Math.max(280, el.clientWidth), height: 280 });
    addEventListener('resize', resize);
    return () => {
      removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [props.series, dark]);
  const total = props.series.tokens.flat().reduce((a, b) => a + b, 0);
  const cost = props.series.cost.reduce((a, b) => a + b, 0);
  return (
    <figure aria-label="Usage chart" class="usage-chart">
      <div ref={box} class="chart-box" />
      <figcaption>
        Tokens and cost per day (UTC): {formatCount(total)} tokens, {formatUsd(cost)} in this period.
      </figcaption>
    </figure>
  );
}
