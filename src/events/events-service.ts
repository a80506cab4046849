import { requireTenant, type Viewer } from '../auth/index.js';
import { checkPageSize, decodeCursor, type EventFilter, type Page, type RecognitionEventRecord, type Repositories } from '../db/index.js';
import { AppError } from '../errors.js';

/** Recognition history for analysts: newest first, filtered by person, decision, source and time. */
export function createEventsService({ repos }: { repos: Repositories }) {
  return {
    async list(viewer: Viewer, args: { first: number; after?: string | null; filter?: EventFilter | null }): Promise<Page<RecognitionEventRecord>> {
      const v = requireTenant(viewer, 'readEvents');
      const filter = args.filter ?? {};
      if (filter.from && filter.to && filter.from >= filter.to) throw new AppError('BAD_USER_INPUT', '"from" must be before "to".', { field: 'filter.from' });
      const cursor = decodeCursor(args.after);
      return repos.events.list(v.tenantId, { first: checkPageSize(args.first), ...(cursor ? { after: cursor } : {}), filter });
    },
  };
}

export type EventsService = ReturnType<typeof createEventsService>;
