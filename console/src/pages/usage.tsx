// /console/usage: tokens and cost per day for a chosen period, grouped by model or by key, as a chart and a
// table with the same numbers (from /v1/organization/usage/completions and /v1/organization/costs).
import { useState } from 'preact/hooks';
import { formatCount, formatUsd } from '../lib/format.ts';
import { periodWindow, toDateValue, type UsageGrouping, type UsageSeries } from '../lib/usage-series.ts';
import { ErrorNote, Loading } from './parts/notes.tsx';
import { UsageChart } from './parts/usage-chart.tsx';
import { loadUsage } from './parts/usage-data.ts';
import { useLoad } from './parts/use-load.ts';

const DAY = 86_400;
const today = () => Math.floor(Date.now() / 1000 / DAY) * DAY;

function UsageTable(props: { series: UsageSeries; groupBy: UsageGrouping }) {
  const rows = props.series.rows;
  if (!rows.length) return <p class="hint">No usage in this period.</p>;
  return (
    <div class="table-wrap">
      <table aria-label="Usage by day">
        <thead>
          <tr>
            <th>Day</th>
            <th>{props.groupBy === 'model' ? 'Model' : 'API key'}</th>
            <th class="num">Requests</th>
            <th class="num">Input tokens</th>
            <th class="num">Output tokens</th>
            <th class="num">Cost</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.day}-${r.group}`}>
              <td>{toDateValue(r.day)}</td>
              <td>{r.group}</td>
              <td class="num">{formatCount(r.requests)}</td>
              <td class="num">{formatCount(r.input_tokens)}</td>
              <td class="num">{formatCount(r.output_tokens)}</td>
              <td class="num">{formatUsd(r.cost)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function UsagePage() {
  const [from, setFrom] = useState(() => toDateValue(today() - 6 * DAY));
  const [to, setTo] = useState(() => toDateValue(today()));
  const [groupBy, setGroupBy] = useState<UsageGrouping>('model');
  const period = periodWindow(from, to);
  const usage = useLoad(async () => (typeof period === 'string' ? undefined : loadUsage({ ...period, groupBy })), [from, to, groupBy]);
  return (
    <section class="page">
      <h1>Usage</h1>
      <form class="row" onSubmit={(e) => e.preventDefault()}>
        <div>
          <label for="usage-from">From</label>
          <input id="usage-from" type="date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
        </div>
        <div>
          <label for="usage-to">To</label>
          <input id="usage-to" type="date" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
        </div>
        <div>
          <label for="usage-group">Group by</label>
          <select id="usage-group" value={groupBy} onChange={(e) => setGroupBy(e.currentTarget.value === 'api_key_id' ? 'api_key_id' : 'model')}>
            <option value="model">Model</option>
            <option value="api_key_id">API key</option>
          </select>
        </div>
        <button type="button" class="secondary" onClick={() => void usage.reload()}>
          Refresh
        </button>
      </form>
      <ErrorNote error={typeof period === 'string' ? period : usage.error} />
      <Loading when={usage.loading && !usage.data} />
      {usage.data ? (
        <>
          <UsageChart series={usage.data} />
          <UsageTable series={usage.data} groupBy={groupBy} />
        </>
      ) : null}
    </section>
  );
}
