// The part of Grafana's dashboard JSON (schemaVersion 39) these dashboards use, typed so that a misspelt key or
// a panel without a datasource fails to compile. Field-config values Grafana keeps open stay `unknown`.

export interface DataSourceRef {
  type: 'prometheus';
  uid: string;
}

export interface GridPos {
  h: number;
  w: number;
  x: number;
  y: number;
}

export interface Target {
  datasource: DataSourceRef;
  refId: string;
  expr: string;
  legendFormat: string;
  range: boolean;
  instant: boolean;
  editorMode: 'code';
  format?: 'table' | 'heatmap' | 'time_series';
}

export type Color = string;
/** A threshold step: from `value` (null: from minus infinity) on, the colour. */
export type Step = readonly [number | null, Color];

export interface Thresholds {
  mode: 'absolute';
  steps: { value: number | null; color: Color }[];
}

export interface ValueMappingOption {
  text: string;
  color?: Color;
  index: number;
}

export interface ValueMapping {
  type: 'value';
  options: Record<string, ValueMappingOption>;
}

export interface Link {
  title: string;
  url: string;
}

export interface Override {
  matcher: { id: 'byName'; options: string };
  properties: { id: string; value: unknown }[];
}

export interface Transformation {
  id: 'organize' | 'merge';
  options: Record<string, unknown>;
}

export type PanelType = 'stat' | 'timeseries' | 'table' | 'state-timeline' | 'heatmap';

export interface Panel {
  type: PanelType;
  title: string;
  description: string;
  datasource: DataSourceRef;
  targets: Target[];
  fieldConfig: { defaults: Record<string, unknown>; overrides: Override[] };
  options: Record<string, unknown>;
  transformations?: Transformation[];
  maxDataPoints?: number;
  repeat?: string;
  repeatDirection?: 'h' | 'v';
  maxPerRow?: number;
}

export interface RowPanel {
  type: 'row';
  title: string;
  collapsed: false;
  panels: [];
}

export type PlacedPanel = { id: number } & (Panel | RowPanel) & { gridPos: GridPos };

export interface DatasourceVariable {
  name: string;
  label: string;
  type: 'datasource';
  query: 'prometheus';
  current: Record<string, never>;
  hide: 0;
  refresh: 1;
  regex: '';
  options: [];
  includeAll: false;
  multi: false;
}

export interface QueryVariable {
  name: string;
  label: string;
  type: 'query';
  datasource: DataSourceRef;
  query: { query: string; refId: string };
  definition: string;
  refresh: 2;
  sort: 1;
  hide: 0;
  regex: '';
  current: Record<string, never>;
  options: [];
  multi: boolean;
  includeAll: boolean;
  allValue?: string;
}

export type Variable = DatasourceVariable | QueryVariable;

export interface DashboardLink {
  title: string;
  type: 'link';
  url: string;
  icon: 'dashboard';
  keepTime: boolean;
  includeVars: boolean;
  asDropdown: false;
  targetBlank: false;
  tags: [];
  tooltip: '';
}

export interface Dashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  editable: true;
  graphTooltip: 1;
  schemaVersion: 39;
  version: 1;
  time: { from: string; to: string };
  timepicker: Record<string, never>;
  timezone: '';
  refresh: string;
  fiscalYearStartMonth: 0;
  liveNow: false;
  weekStart: '';
  annotations: { list: [] };
  links: DashboardLink[];
  templating: { list: Variable[] };
  panels: PlacedPanel[];
}
