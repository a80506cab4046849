/**
 * Work done, rate and ETA, redrawn in place on stderr; silent when stderr is not a terminal (CI
 * logs, pipes), so only the commands' summaries reach them. Shared by `eval` and `import`.
 */
export class ProgressBar {
  private done = 0;
  private readonly start = performance.now();
  private lastDraw = 0;
  private readonly enabled: boolean;

  constructor(
    private readonly total: number,
    private readonly label: string,
    /** Extra text after the counts, e.g. people done during an import. */
    private readonly detail: () => string = () => '',
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = out.isTTY === true;
  }

  advance(n = 1): void {
    this.done += n;
    this.draw(this.done >= this.total);
  }

  /** Redraws after `detail` changed without new work done. */
  refresh(): void {
    this.draw(false);
  }

  finish(): void {
    this.draw(true);
    if (this.enabled) this.out.write('\n');
  }

  private draw(force: boolean): void {
    if (!this.enabled) return;
    const now = performance.now();
    // Redrawing on every item would cost more than a cached embedding itself.
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = 30;
    const frac = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '-');
    const seconds = (now - this.start) / 1000;
    const rate = seconds > 0 ? this.done / seconds : 0;
    const eta = rate > 0 ? (this.total - this.done) / rate : Infinity;
    const detail = this.detail();
    this.out.write(`\r${this.label} [${bar}] ${this.done}/${this.total}${detail ? `  ${detail}` : ''}  ${rate.toFixed(1)}/s  ETA ${clock(eta)}   `);
  }
}

function clock(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.ceil(s % 60)).padStart(2, '0')}s` : `${Math.ceil(s)}s`;
}
