/** Work done so far, reported by a long step; the CLI draws it, tests and libraries ignore it. */
export interface Progress {
  advance(n?: number): void;
  finish(): void;
}

export type StartProgress = (total: number, label: string) => Progress;

export const NO_PROGRESS: StartProgress = () => ({ advance: () => undefined, finish: () => undefined });
