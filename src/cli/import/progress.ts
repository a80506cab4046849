import { ProgressBar } from '../progress-bar.js';

/** Files done on the bar, people done beside it. */
export class ImportProgress {
  private people = 0;
  private readonly bar: ProgressBar;

  constructor(totalPeople: number, totalFiles: number, out: NodeJS.WriteStream = process.stderr) {
    this.bar = new ProgressBar(totalFiles, 'import files', () => `people ${this.people}/${totalPeople}`, out);
  }

  filesDone(n: number): void {
    this.bar.advance(n);
  }

  personDone(): void {
    this.people += 1;
    this.bar.refresh();
  }

  finish(): void {
    this.bar.finish();
  }
}
