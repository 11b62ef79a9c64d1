// A dashboard's frame: the layout (rows and lines of panels on Grafana's 24-column grid), the variables and
// the dashboard object around the panels.
import { DS } from './panels.js';
import type { Dashboard, DashboardLink, DatasourceVariable, Panel, PlacedPanel, QueryVariable, Variable } from './types.js';

/** Lays panels out top to bottom: a row header, then lines of panels placed left to right. */
export class Layout {
  readonly panels: PlacedPanel[] = [];
  private y = 0;
  private nextId = 1;

  row(title: string): this {
    this.panels.push({ id: this.nextId++, type: 'row', title, collapsed: false, panels: [], gridPos: { h: 1, w: 24, x: 0, y: this.y } });
    this.y += 1;
    return this;
  }

  /** One line of panels of height `h`, each with its width; they fill the line from the left. */
  line(h: number, ...cells: [Panel, number][]): this {
    let x = 0;
    for (const [panel, w] of cells) {
      if (x + w > 24) throw new Error(`panel "${panel.title}" does not fit the 24-column grid`);
      this.panels.push({ id: this.nextId++, ...panel, gridPos: { h, w, x, y: this.y } });
      x += w;
    }
    this.y += h;
    return this;
  }
}

export const datasourceVariable: DatasourceVariable = {
  name: 'datasource',
  label: 'Data source',
  type: 'datasource',
  query: 'prometheus',
  current: {},
  hide: 0,
  refresh: 1,
  regex: '',
  options: [],
  includeAll: false,
  multi: false,
};

export function queryVariable(name: string, label: string, query: string, o: { multi?: boolean; includeAll?: boolean; allValue?: string } = {}): QueryVariable {
  const { multi = false, includeAll = false, allValue } = o;
  return {
    name,
    label,
    type: 'query',
    datasource: DS,
    query: { query, refId: `${name}-variable` },
    definition: query,
    refresh: 2,
    sort: 1,
    hide: 0,
    regex: '',
    current: {},
    options: [],
    multi,
    includeAll,
    ...(allValue === undefined ? {} : { allValue }),
  };
}

/** A multi-select variable whose "All" matches every value. */
export const multiVariable = (name: string, label: string, query: string) => queryVariable(name, label, query, { multi: true, includeAll: true, allValue: '.*' });

export function dashboardLink(title: string, url: string, includeVars: boolean): DashboardLink {
  return { title, type: 'link', url, icon: 'dashboard', keepTime: true, includeVars, asDropdown: false, targetBlank: false, tags: [], tooltip: '' };
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  layout: Layout;
  variables: Variable[];
  links: DashboardLink[];
}

export function dashboard({ uid, title, description, layout, variables, links }: DashboardSpec): Dashboard {
  return {
    uid,
    title,
    description,
    tags: ['entra-connect'],
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-6h', to: 'now' },
    timepicker: {},
    timezone: '',
    refresh: '1m',
    fiscalYearStartMonth: 0,
    liveNow: false,
    weekStart: '',
    annotations: { list: [] },
    links,
    templating: { list: variables },
    panels: layout.panels,
  };
}
