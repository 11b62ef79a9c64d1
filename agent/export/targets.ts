// The series of each probe target (endpoint x route), kept as columns of numbers indexed by the target's slot.
// prom-client keeps an object per series (its labels, a hash string, the value): at 1,000 endpoints x 2 routes the
// target families are some 100,000 series, and those objects were most of the daemon's heap and of its peak
// resident memory. Here a series is one number in a Float64Array and its labels are written once per target; the
// exposition is produced in chunks, so a scrape never holds the whole text either. The families and their names,
// help and label names are still the contract's (contract.ts); metrics.ts decides which families live here.
import type { MetricDefinition } from './contract.js';

/** Where an exposition is written: about this many characters per chunk. */
export const EXPOSITION_CHUNK_CHARS = 64 * 1024;

const INITIAL_SLOTS = 64;

/** A label value as the text format writes it (backslash, newline and double quote escaped). */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

const escapeHelp = (text: string) => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** A sample value as Prometheus's text format writes it. */
export function formatValue(value: number): string {
  if (Number.isFinite(value)) return String(value);
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? '+Inf' : '-Inf';
}

/** Collects exposition text; the exposition hands it on whenever a chunk of about EXPOSITION_CHUNK_CHARS is full. */
export class ChunkWriter {
  private text = '';

  write(text: string): void {
    this.text += text;
  }

  get full(): boolean {
    return this.text.length >= EXPOSITION_CHUNK_CHARS;
  }

  /** What was written since the last take. */
  take(): string {
    const text = this.text;
    this.text = '';
    return text;
  }
}

/** One family of per-target series: it keeps a value (or values) per slot and writes its sample lines. */
export interface TargetFamily {
  readonly definition: MetricDefinition;
  /** Makes room for slots 0..slots-1, keeping what is there. */
  resize(slots: number): void;
  /** Forgets the slot's series (its target is gone). */
  clear(slot: number): void;
  /** Writes the slot's sample lines; `labels` is the slot's `endpoint="..",route=".."`. */
  writeSlot(out: ChunkWriter, sampleName: string, slot: number, labels: string): void;
}

function grown(old: Float64Array, length: number): Float64Array {
  const next = new Float64Array(length).fill(Number.NaN);
  next.set(old.subarray(0, Math.min(old.length, length)));
  return next;
}

/**
 * A gauge or counter per target, or per target and each value of one closed label (the phases, the failure
 * reasons): one column of numbers per label value, NaN where a series does not exist. A label value gets its column
 * on first use, so the recording probe kind owns the closed set; the exposition lists values in that order.
 */
export class TargetValues implements TargetFamily {
  private readonly columns = new Map<string, Float64Array>();
  private readonly labelTexts = new Map<string, string>();
  private slots = 0;

  constructor(
    readonly definition: MetricDefinition,
    /** The one closed label besides endpoint and route; none for a family of target labels only. */
    readonly by?: string,
  ) {}

  private column(value: string | undefined): Float64Array {
    const key = this.by ? (value ?? '') : '';
    let column = this.columns.get(key);
    if (!column) {
      column = new Float64Array(this.slots).fill(Number.NaN);
      this.columns.set(key, column);
      this.labelTexts.set(key, this.by ? `,${this.by}="${escapeLabelValue(key)}"` : '');
    }
    return column;
  }

  set(slot: number, value: number, labelValue?: string): void {
    this.column(labelValue)[slot] = value;
  }

  inc(slot: number, by = 1, labelValue?: string): void {
    const column = this.column(labelValue);
    const now = column[slot]!;
    column[slot] = (Number.isNaN(now) ? 0 : now) + by;
  }

  /** Creates the series at 0 if it does not exist (a counter that increase() must see from its first step). */
  zero(slot: number, labelValue?: string): void {
    const column = this.column(labelValue);
    if (Number.isNaN(column[slot]!)) column[slot] = 0;
  }

  remove(slot: number, labelValue?: string): void {
    const column = this.columns.get(this.by ? (labelValue ?? '') : '');
    if (column) column[slot] = Number.NaN;
  }

  /** The series' value, undefined when it does not exist. */
  get(slot: number, labelValue?: string): number | undefined {
    const v = this.columns.get(this.by ? (labelValue ?? '') : '')?.[slot];
    return v === undefined || Number.isNaN(v) ? undefined : v;
  }

  resize(slots: number): void {
    this.slots = slots;
    for (const [key, column] of this.columns) this.columns.set(key, grown(column, slots));
  }

  clear(slot: number): void {
    for (const c of this.columns.values()) c[slot] = Number.NaN;
  }

  writeSlot(out: ChunkWriter, sampleName: string, slot: number, labels: string): void {
    for (const [key, column] of this.columns) {
      const v = column[slot]!;
      if (!Number.isNaN(v)) out.write(`${sampleName}{${labels}${this.labelTexts.get(key)}} ${formatValue(v)}\n`);
    }
  }
}

/**
 * An info-style family: the label values a target shows now, each a series at 1 (the current failure reason, the TLS
 * version, cipher and root, the schemes of the last 407). Setting the values replaces what the target showed.
 */
export class TargetLabels implements TargetFamily {
  private current: Array<readonly string[] | undefined> = [];

  constructor(
    readonly definition: MetricDefinition,
    readonly label: string,
  ) {}

  /** The values the target shows from now on; none (or an empty list) drops its series. */
  set(slot: number, values: readonly string[] | string | undefined): void {
    this.current[slot] = values === undefined ? undefined : typeof values === 'string' ? [values] : values.length > 0 ? [...new Set(values)] : undefined;
  }

  get(slot: number): readonly string[] {
    return this.current[slot] ?? [];
  }

  resize(slots: number): void {
    if (this.current.length > slots) this.current.length = slots;
  }

  clear(slot: number): void {
    this.current[slot] = undefined;
  }

  writeSlot(out: ChunkWriter, sampleName: string, slot: number, labels: string): void {
    for (const value of this.current[slot] ?? []) out.write(`${sampleName}{${labels},${this.label}="${escapeLabelValue(value)}"} 1\n`);
  }
}

/** A histogram per target: bucket counts, sum and count in columns; no series until the target's first observation. */
export class TargetHistogram implements TargetFamily {
  private buckets: Float64Array = new Float64Array(0);
  private sums: Float64Array = new Float64Array(0);
  private counts: Float64Array = new Float64Array(0);
  private readonly leTexts: readonly string[];

  constructor(
    readonly definition: MetricDefinition,
    readonly upperBounds: readonly number[],
  ) {
    this.leTexts = [...upperBounds.map((b) => `,le="${formatValue(b)}"`), ',le="+Inf"'];
  }

  observe(slot: number, value: number): void {
    if (!Number.isFinite(value)) return;
    const n = this.upperBounds.length;
    if (Number.isNaN(this.counts[slot]!)) {
      this.buckets.fill(0, slot * n, slot * n + n);
      this.sums[slot] = 0;
      this.counts[slot] = 0;
    }
    const bucket = this.upperBounds.findIndex((b) => value <= b);
    if (bucket >= 0) this.buckets[slot * n + bucket]! += 1;
    this.sums[slot]! += value;
    this.counts[slot]! += 1;
  }

  /** The observation count, undefined before the target's first observation. */
  count(slot: number): number | undefined {
    const c = this.counts[slot];
    return c === undefined || Number.isNaN(c) ? undefined : c;
  }

  resize(slots: number): void {
    const n = this.upperBounds.length;
    this.buckets = grown(this.buckets, slots * n);
    this.sums = grown(this.sums, slots);
    this.counts = grown(this.counts, slots);
  }

  clear(slot: number): void {
    this.counts[slot] = Number.NaN;
  }

  writeSlot(out: ChunkWriter, sampleName: string, slot: number, labels: string): void {
    const count = this.counts[slot]!;
    if (Number.isNaN(count)) return;
    const n = this.upperBounds.length;
    let cumulative = 0;
    for (let i = 0; i < n; i++) {
      cumulative += this.buckets[slot * n + i]!;
      out.write(`${sampleName}_bucket{${labels}${this.leTexts[i]}} ${cumulative}\n`);
    }
    out.write(`${sampleName}_bucket{${labels}${this.leTexts[n]}} ${count}\n`);
    out.write(`${sampleName}_sum{${labels}} ${formatValue(this.sums[slot]!)}\n`);
    out.write(`${sampleName}_count{${labels}} ${count}\n`);
  }
}

/** The targets and their slots, and the families that keep per-target series in them. */
export class TargetTable {
  private readonly slots = new Map<string, number>();
  private endpoints: Array<string | undefined> = [];
  private routes: Array<string | undefined> = [];
  /** Each slot's `endpoint="..",route=".."`, written once; undefined for a free slot. */
  private labelTexts: Array<string | undefined> = [];
  private readonly free: number[] = [];
  private capacity = 0;
  private readonly families: TargetFamily[] = [];

  add<F extends TargetFamily>(family: F): F {
    family.resize(this.capacity);
    this.families.push(family);
    return family;
  }

  /** The target's slot, made on its first use. */
  slot(endpoint: string, route: string): number {
    const key = `${endpoint}\u0000${route}`;
    const known = this.slots.get(key);
    if (known !== undefined) return known;
    const slot = this.free.pop() ?? this.endpoints.length;
    if (slot >= this.capacity) {
      this.capacity = Math.max(INITIAL_SLOTS, this.capacity * 2);
      for (const f of this.families) f.resize(this.capacity);
    }
    this.slots.set(key, slot);
    this.endpoints[slot] = endpoint;
    this.routes[slot] = route;
    this.labelTexts[slot] = `endpoint="${escapeLabelValue(endpoint)}",route="${escapeLabelValue(route)}"`;
    return slot;
  }

  /** How many targets have a slot. */
  get size(): number {
    return this.slots.size;
  }

  /** Drops every series of the targets `gone` names (an endpoint or route a new plan no longer has). */
  dropWhere(gone: (endpoint: string, route: string) => boolean): void {
    for (const [key, slot] of this.slots) {
      if (!gone(this.endpoints[slot]!, this.routes[slot]!)) continue;
      for (const f of this.families) f.clear(slot);
      this.slots.delete(key);
      this.endpoints[slot] = undefined;
      this.routes[slot] = undefined;
      this.labelTexts[slot] = undefined;
      this.free.push(slot);
    }
  }

  /** Every family's HELP and TYPE lines, then each target's samples in slot order, in chunks of about EXPOSITION_CHUNK_CHARS. */
  *exposition(openMetrics: boolean): Generator<string, void, undefined> {
    const out = new ChunkWriter();
    for (const family of this.families) {
      const def = family.definition;
      // OpenMetrics names a counter family without its _total; its samples keep it. It allows no blank lines.
      const familyName = openMetrics && def.type === 'counter' ? def.name.replace(/_total$/, '') : def.name;
      out.write(`${openMetrics ? '' : '\n'}# HELP ${familyName} ${escapeHelp(def.help)}\n# TYPE ${familyName} ${def.type}\n`);
      // A target dropped or added while the chunks are written is skipped or listed: each line is a series as it is now.
      for (let slot = 0; slot < this.labelTexts.length; slot++) {
        const labels = this.labelTexts[slot];
        if (labels !== undefined) family.writeSlot(out, def.name, slot, labels);
        if (out.full) yield out.take();
      }
    }
    const rest = out.take();
    if (rest) yield rest;
  }
}
