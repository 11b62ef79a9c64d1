// Bounded summaries for streams of any length: memory stays constant however many lines a log has.

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Median of a stream: exact while the count is at most `capacity`, then estimated from a uniform
 * random sample of `capacity` values (reservoir sampling, Algorithm R) with a fixed seed, so runs repeat.
 */
export class MedianReservoir {
  private readonly sample: number[] = [];
  private seen = 0;
  private seed = 0x9e3779b9;

  constructor(private readonly capacity = 1024) {}

  add(value: number): void {
    this.seen++;
    if (this.sample.length < this.capacity) {
      this.sample.push(value);
      return;
    }
    const slot = this.nextRandom() % this.seen;
    if (slot < this.capacity) this.sample[slot] = value;
  }

  get exact(): boolean {
    return this.seen <= this.capacity;
  }

  median(): number | undefined {
    return this.sample.length === 0 ? undefined : median(this.sample);
  }

  /** xorshift32: cheap and deterministic. */
  private nextRandom(): number {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed;
  }
}

/** The `capacity` largest items of a stream by `key`, kept in a min-heap. */
export class TopK<T> {
  private readonly heap: T[] = [];

  constructor(
    private readonly capacity: number,
    private readonly key: (item: T) => number,
  ) {}

  /** Cheap pre-check so callers build an item only when it would be kept. */
  wouldKeep(value: number): boolean {
    return this.heap.length < this.capacity || value > this.key(this.heap[0]!);
  }

  add(item: T): void {
    if (this.heap.length < this.capacity) {
      this.heap.push(item);
      this.siftUp(this.heap.length - 1);
    } else if (this.key(item) > this.key(this.heap[0]!)) {
      this.heap[0] = item;
      this.siftDown(0);
    }
  }

  /** Largest first. */
  sorted(): T[] {
    return [...this.heap].sort((a, b) => this.key(b) - this.key(a));
  }

  get full(): boolean {
    return this.heap.length === this.capacity;
  }

  private siftUp(i: number): void {
    const { heap, key } = this;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (key(heap[parent]!) <= key(heap[i]!)) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const { heap, key } = this;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && key(heap[left]!) < key(heap[smallest]!)) smallest = left;
      if (right < heap.length && key(heap[right]!) < key(heap[smallest]!)) smallest = right;
      if (smallest === i) return;
      [heap[smallest], heap[i]] = [heap[i]!, heap[smallest]!];
      i = smallest;
    }
  }
}
