export { runEvaluation } from './run-evaluation.js';
export type { EvalOptions, EvalSummary } from './run-evaluation.js';
export { createPipelineEmbedder } from './pipeline-embedder.js';
export type { PipelineEmbedderOptions } from './pipeline-embedder.js';
export type { Embedder } from './embedder.js';
export { applySettings } from './apply-settings.js';
export type { ApplyTarget, GraphQLClient, VoteSettings } from './apply-settings.js';
export type { Progress, StartProgress } from './progress.js';
