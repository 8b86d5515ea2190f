/**
 * Port allocator of one node: ports come from the node's range and never collide with another
 * assignment on that node, with ports the node reports in use by other processes, or with its admin port.
 */
import type { PortRange } from '../../core/domain/node.js';

export class PortPool {
  private readonly taken = new Set<number>();
  private readonly external: ReadonlySet<number>;
  /** Lowest port that may be free: everything below it is taken (keeps allocation linear overall). */
  private floor: number;

  constructor(
    readonly range: PortRange,
    external: Iterable<number>,
  ) {
    this.external = new Set(external);
    this.floor = range.start;
  }

  /** True when `port` is inside the range and nobody holds it. */
  isFree(port: number): boolean {
    return (
      port >= this.range.start && port <= this.range.end && !this.taken.has(port) && !this.external.has(port)
    );
  }

  /** True when `port` is held by an external process (reported by the node). */
  isExternal(port: number): boolean {
    return this.external.has(port);
  }

  /** Marks a port as held by an assignment; false when it was not free. */
  claim(port: number): boolean {
    if (!this.isFree(port)) return false;
    this.taken.add(port);
    return true;
  }

  release(port: number): void {
    if (this.taken.delete(port) && port < this.floor) this.floor = port;
  }

  /** The lowest free port, without taking it. */
  peek(): number | undefined {
    for (let p = this.floor; p <= this.range.end; p++) {
      if (!this.taken.has(p) && !this.external.has(p)) {
        this.floor = p;
        return p;
      }
    }
    this.floor = this.range.end + 1;
    return undefined;
  }

  /** Takes the lowest free port, or undefined when the range is used up. */
  allocate(): number | undefined {
    const p = this.peek();
    if (p !== undefined) this.taken.add(p);
    return p;
  }

  get size(): number {
    return this.range.end - this.range.start + 1;
  }
}
