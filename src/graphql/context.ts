import type { Viewer } from '../auth/index.js';
import type { Services } from '../services.js';
import type { RequestLoaders } from '../loaders/request-loaders.js';

/** What every resolver receives: who is calling, and the use cases it may call. */
export interface GraphQLContext {
  viewer: Viewer;
  services: Services;
  requestId: string;
  /** Aborted when the client goes away before the response is sent: long work (ffmpeg) stops. */
  signal: AbortSignal;
  /** This request's DataLoaders: per-item fields of a list cost one query per field. */
  loaders: RequestLoaders;
}
