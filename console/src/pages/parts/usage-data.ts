// The usage page's data: completions usage and costs of a period, both grouped by model or by key, every page.
import type { UsageCompletionsResponse, UsageCostsResponse } from 'openai/resources/admin/organization/usage';
import { apiFetch } from '../../api.ts';
import { costsGroupBy, toUsageSeries, type UsageGrouping, type UsageSeries } from '../../lib/usage-series.ts';

interface BucketPage<B> {
  data: B[];
  has_more: boolean;
  next_page: string | null;
}

async function allBuckets<B>(path: string, query: URLSearchParams): Promise<B[]> {
  const out: B[] = [];
  let page: string | null = null;
  do {
    if (page) query.set('page', page);
    const res: BucketPage<B> = await apiFetch<BucketPage<B>>(`${path}?${query}`);
    out.push(...res.data);
    page = res.has_more ? res.next_page : null;
  } while (page);
  return out;
}

/** Usage and cost per day of [start_time, end_time), grouped by `groupBy`, as the chart and table show them. */
export async function loadUsage(opts: { start_time: number; end_time: number; days: number; groupBy: UsageGrouping }): Promise<UsageSeries> {
  const window = { start_time: String(opts.start_time), end_time: String(opts.end_time) };
  const [completions, costs] = await Promise.all([
    allBuckets<UsageCompletionsResponse.Data>(
      '/organization/usage/completions',
      new URLSearchParams({ ...window, bucket_width: '1d', limit: String(Math.min(opts.days, 31)), 'group_by[]': opts.groupBy }),
    ),
    allBuckets<UsageCostsResponse.Data>(
      '/organization/costs',
      new URLSearchParams({ ...window, bucket_width: '1d', limit: String(Math.min(opts.days, 180)), 'group_by[]': costsGroupBy(opts.groupBy) }),
    ),
  ]);
  return toUsageSeries({ completions, costs, groupBy: opts.groupBy });
}
