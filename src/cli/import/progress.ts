/**
 * People and files done, with rate and ETA, redrawn in place on stderr. Quiet when stderr is not
 * a terminal, so CI logs and pipes get only the summary.
 */
export class ImportProgress {
  private people = 0;
  private files = 0;
  private readonly start = performance.now();
  private lastDraw = 0;
  private readonly enabled: boolean;

  constructor(
    private readonly totalPeople: number,
    private readonly totalFiles: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = out.isTTY === true;
  }

  filesDone(n: number): void {
    this.files += n;
    this.draw(false);
  }

  personDone(): void {
    this.people += 1;
    this.draw(false);
  }

  finish(): void {
    this.draw(true);
    if (this.enabled) this.out.write('\n');
  }

  private draw(force: boolean): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = 24;
    const frac = this.totalFiles > 0 ? this.files / this.totalFiles : 1;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '-');
    const seconds = (now - this.start) / 1000;
    const rate = seconds > 0 ? this.files / seconds : 0;
    const eta = rate > 0 ? (this.totalFiles - this.files) / rate : Infinity;
    this.out.write(`\rimport [${bar}] people ${this.people}/${this.totalPeople}  files ${this.files}/${this.totalFiles}  ${rate.toFixed(1)}/s  ETA ${clock(eta)}   `);
  }
}

function clock(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.ceil(s % 60)).padStart(2, '0')}s` : `${Math.ceil(s)}s`;
}
