// Typed builders for the panels the dashboards use. Each fixes the options Grafana would otherwise default
// differently between versions, so the JSON says what the panel shows.
import type { Color, DataSourceRef, Link, Override, Panel, Step, Target, Thresholds, Transformation, ValueMapping } from './types.js';

/** Every panel and query reads the dashboard's `datasource` variable. */
export const DS: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

export function target(refId: string, expr: string, legendFormat = '', extra: Partial<Target> = {}): Target {
  return { datasource: DS, refId, expr, legendFormat, range: true, instant: false, editorMode: 'code', ...extra };
}

export function instant(refId: string, expr: string, legendFormat = '', extra: Partial<Target> = {}): Target {
  return target(refId, expr, legendFormat, { range: false, instant: true, ...extra });
}

export function table(refId: string, expr: string): Target {
  return instant(refId, expr, '', { format: 'table' });
}

export function thresholds(...steps: Step[]): Thresholds {
  return { mode: 'absolute', steps: steps.map(([value, color]) => ({ value, color })) };
}

/** Two values mapped to words and colours: `good` (green) and `bad` (red), in that order. */
export function valueMappings(good: [string, string], bad: [string, string], colors: [Color, Color] = ['green', 'red']): ValueMapping[] {
  return [{ type: 'value', options: { [good[0]]: { text: good[1], color: colors[0], index: 0 }, [bad[0]]: { text: bad[1], color: colors[1], index: 1 } } }];
}

/** 1 -> `ok` in green, 0 -> `fail` in red. */
export const okFailMappings = (ok: string, fail: string): ValueMapping[] => valueMappings(['1', ok], ['0', fail]);
export const upDownMappings: ValueMapping[] = okFailMappings('up', 'down');

export function override(fieldName: string, properties: Record<string, unknown>): Override {
  return { matcher: { id: 'byName', options: fieldName }, properties: Object.entries(properties).map(([id, value]) => ({ id, value })) };
}

export function organize(order: string[], rename: Record<string, string> = {}, hide: string[] = ['Time']): Transformation {
  return {
    id: 'organize',
    options: {
      excludeByName: Object.fromEntries(hide.map((n) => [n, true])),
      indexByName: Object.fromEntries(order.map((n, i) => [n, i])),
      renameByName: rename,
    },
  };
}

export const merge: Transformation = { id: 'merge', options: {} };

const GREEN: Step[] = [[null, 'green']];

export interface StatOptions {
  unit?: string;
  mappings?: ValueMapping[];
  steps?: Step[];
  links?: Link[];
  textMode?: 'auto' | 'value_and_name';
  colorMode?: 'background' | 'none';
  graphMode?: 'none';
  decimals?: number;
}

export function stat(title: string, description: string, targets: Target[], o: StatOptions = {}): Panel {
  const { unit = 'none', mappings = [], steps = GREEN, links = [], textMode = 'auto', colorMode = 'background', graphMode = 'none', decimals } = o;
  return {
    type: 'stat',
    title,
    description,
    datasource: DS,
    targets,
    fieldConfig: {
      defaults: { unit, mappings, thresholds: thresholds(...steps), links, color: { mode: 'thresholds' }, ...(decimals === undefined ? {} : { decimals }) },
      overrides: [],
    },
    options: {
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      orientation: 'auto',
      textMode,
      colorMode,
      graphMode,
      justifyMode: 'auto',
      wideLayout: true,
      showPercentChange: false,
    },
  };
}

export interface TimeseriesOptions {
  unit?: string;
  stack?: boolean;
  draw?: 'line' | 'bars' | 'points';
  fill?: number;
  min?: number;
  max?: number;
  steps?: Step[];
  /** Draw the thresholds as a line and area (the intermittent-failure ratio). */
  thresholdLine?: boolean;
  links?: Link[];
  overrides?: Override[];
}

export function timeseries(title: string, description: string, targets: Target[], o: TimeseriesOptions = {}): Panel {
  const { unit = 'none', stack = false, draw = 'line', fill = 10, min, max, steps = GREEN, thresholdLine = false, links = [], overrides = [] } = o;
  return {
    type: 'timeseries',
    title,
    description,
    datasource: DS,
    targets,
    fieldConfig: {
      defaults: {
        unit,
        links,
        ...(min === undefined ? {} : { min }),
        ...(max === undefined ? {} : { max }),
        color: { mode: 'palette-classic' },
        thresholds: thresholds(...steps),
        custom: {
          drawStyle: draw,
          lineInterpolation: draw === 'line' ? 'stepAfter' : 'linear',
          fillOpacity: fill,
          lineWidth: 1,
          pointSize: 5,
          showPoints: draw === 'points' ? 'always' : 'never',
          spanNulls: false,
          stacking: { mode: stack ? 'normal' : 'none', group: 'A' },
          thresholdsStyle: { mode: thresholdLine ? 'line+area' : 'off' },
          axisPlacement: 'auto',
          gradientMode: 'none',
        },
      },
      overrides,
    },
    options: {
      legend: { displayMode: 'table', placement: 'right', showLegend: true, calcs: ['lastNotNull', 'max'] },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
  };
}

export interface TableOptions {
  overrides?: Override[];
  transformations?: Transformation[];
}

export function tablePanel(title: string, description: string, targets: Target[], o: TableOptions = {}): Panel {
  const { overrides = [], transformations = [] } = o;
  return {
    type: 'table',
    title,
    description,
    datasource: DS,
    targets,
    fieldConfig: {
      defaults: { custom: { align: 'auto', cellOptions: { type: 'auto' }, inspect: true }, thresholds: thresholds([null, 'green']) },
      overrides,
    },
    options: { showHeader: true, cellHeight: 'sm', footer: { show: false, reducer: ['sum'], fields: '' } },
    transformations,
  };
}

export function stateTimeline(title: string, description: string, targets: Target[], o: { mappings?: ValueMapping[]; steps?: Step[] } = {}): Panel {
  const { mappings = [], steps = GREEN } = o;
  return {
    type: 'state-timeline',
    title,
    description,
    datasource: DS,
    targets,
    fieldConfig: {
      defaults: { mappings, thresholds: thresholds(...steps), color: { mode: 'thresholds' }, custom: { fillOpacity: 80, lineWidth: 0 } },
      overrides: [],
    },
    options: { showValue: 'auto', mergeValues: true, alignValue: 'left', rowHeight: 0.9, legend: { showLegend: false, displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'single', sort: 'none' } },
  };
}

/** A heatmap of a Prometheus histogram's buckets (already bucketed: Grafana must not calculate). */
export function heatmap(title: string, description: string, targets: Target[], unit: string): Panel {
  return {
    type: 'heatmap',
    title,
    description,
    datasource: DS,
    targets,
    fieldConfig: { defaults: { custom: { scaleDistribution: { type: 'linear' }, hideFrom: { legend: false, tooltip: false, viz: false } } }, overrides: [] },
    options: {
      calculate: false,
      yAxis: { unit, axisPlacement: 'left', reverse: false },
      rowsFrame: { layout: 'auto' },
      color: { mode: 'scheme', scheme: 'Oranges', steps: 64, fill: 'dark-orange', scale: 'exponential', exponent: 0.5, reverse: false },
      cellGap: 1,
      filterValues: { le: 1e-9 },
      tooltip: { show: true, yHistogram: true },
      legend: { show: true },
      exemplars: { color: 'rgba(255,0,255,0.7)' },
    },
  };
}
