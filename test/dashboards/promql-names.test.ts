import { describe, expect, it } from 'vitest';
import { metricNamesInPromQL, metricNamesInVariableQuery } from './promql-names.js';

describe('metricNamesInPromQL', () => {
  it('finds a bare selector', () => {
    expect(metricNamesInPromQL('up')).toEqual(['up']);
    expect(metricNamesInPromQL('entra_connect_probe_success{endpoint="login", route=~"corp.*"} == 0')).toEqual(['entra_connect_probe_success']);
  });

  it('skips functions, aggregations, keywords and label lists', () => {
    const expr = `max by (job, instance, endpoint, route) (entra_connect_probe_success == 0)
      * on (job, instance, endpoint) group_left (category, url)
        max by (job, instance, endpoint, category, url) (entra_connect_endpoint_info{required="true"})`;
    expect(metricNamesInPromQL(expr)).toEqual(['entra_connect_endpoint_info', 'entra_connect_probe_success']);
    expect(metricNamesInPromQL('sum(rate(a_total[5m])) without (instance) / ignoring (reason) group_right () b unless on () c and bool d')).toEqual(['a_total', 'b', 'c', 'd']);
  });

  it('ignores strings, including ones that look like selectors or contain escaped quotes', () => {
    expect(metricNamesInPromQL('label_replace(x_total, "dst", "$1 not_a_metric{a=\\"b\\"}", "src", "(.*)")')).toEqual(['x_total']);
    expect(metricNamesInPromQL("count_values('code', y)")).toEqual(['y']);
  });

  it('ignores numbers, durations, offsets, subqueries and Grafana variables', () => {
    expect(metricNamesInPromQL('histogram_quantile(0.95, sum by (le) (rate(h_bucket{instance="$instance"}[$__rate_interval])))')).toEqual(['h_bucket']);
    expect(metricNamesInPromQL('max_over_time(g[1h:5m]) offset 1d > 1e-9 * 300 + 0x1F')).toEqual(['g']);
    expect(metricNamesInPromQL('time() - max(ts_seconds{instance=~"${instance:regex}"}) > $threshold')).toEqual(['ts_seconds']);
    expect(metricNamesInPromQL('vector(0) or absent(nothing_here)')).toEqual(['nothing_here']);
  });

  it('reads {__name__=...} selectors and comments', () => {
    expect(metricNamesInPromQL('{__name__=~"a_total|b_seconds"} # c_total is only a comment')).toEqual(['a_total', 'b_seconds']);
  });

  it('keeps names with colons (recording rules) and names that contain keywords', () => {
    expect(metricNamesInPromQL('job:requests:rate5m and on_call_bool')).toEqual(['job:requests:rate5m', 'on_call_bool']);
  });
});

describe('metricNamesInVariableQuery', () => {
  it('understands the Grafana Prometheus variable functions', () => {
    expect(metricNamesInVariableQuery('label_values(entra_connect_build_info, instance)')).toEqual(['entra_connect_build_info']);
    expect(metricNamesInVariableQuery('label_values(entra_connect_endpoint_info{instance="$instance", category=~"$category"}, endpoint)')).toEqual(['entra_connect_endpoint_info']);
    expect(metricNamesInVariableQuery('label_values(instance)')).toEqual([]);
    expect(metricNamesInVariableQuery('query_result(topk(3, sum by (route) (x_total)))')).toEqual(['x_total']);
  });
});
