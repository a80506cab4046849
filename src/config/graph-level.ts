/** ONNX Runtime's graph optimisation levels, as VISAGE_ORT_GRAPH_LEVEL spells them. */
export const GRAPH_LEVELS = ['disabled', 'basic', 'extended', 'all'] as const;
export type GraphLevel = (typeof GRAPH_LEVELS)[number];
