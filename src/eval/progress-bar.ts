/** Files-done progress on stderr with rate and ETA; silent when stderr is not a terminal (CI logs, pipes). */
export class ProgressBar {
  private done = 0;
  private readonly start = performance.now();
  private lastDraw = 0;
  private readonly enabled: boolean;

  constructor(
    private readonly total: number,
    private readonly label: string,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = out.isTTY === true && total > 0;
  }

  tick(): void {
    this.done += 1;
    if (!this.enabled) return;
    const now = performance.now();
    // Redrawing on every file would cost more than a cached embedding itself.
    if (now - this.lastDraw < 100 && this.done < this.total) return;
    this.lastDraw = now;
    this.out.write(`\r${this.render(now)}`);
  }

  finish(): void {
    if (this.enabled) this.out.write(`\r${this.render(performance.now())}\n`);
  }

  private render(now: number): string {
    const width = 30;
    const frac = this.done / this.total;
    const filled = Math.round(frac * width);
    const seconds = (now - this.start) / 1000;
    const rate = seconds > 0 ? this.done / seconds : 0;
    const eta = rate > 0 ? (this.total - this.done) / rate : Infinity;
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    return `${this.label} [${bar}] ${this.done}/${this.total} ${rate.toFixed(1)}/s ETA ${formatSeconds(eta)}   `;
  }
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.ceil(s)}s`;
  return `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, '0')}s`;
}
