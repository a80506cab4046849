import DataLoader from 'dataloader';
import type { FaceRecord, GalleryCounts, GalleryRecord, PersonRecord, Repositories } from '../db/index.js';

/**
 * DataLoaders for fields resolved once per item of a list (RecognitionEvent.person, Person.faces,
 * Person.galleries, Gallery counts):
 * a page of 100 events with their people costs one query per field, not 100. Made per request,
 * so nothing is cached between requests, and one loader per tenant, so a batch never mixes tenants.
 */
export function createRequestLoaders(repos: Pick<Repositories, 'people' | 'enrollment' | 'galleries'>) {
  const perTenant = <V>(batch: (tenantId: string, keys: readonly string[]) => Promise<V[]>) => {
    const loaders = new Map<string, DataLoader<string, V>>();
    return (tenantId: string): DataLoader<string, V> => {
      let loader = loaders.get(tenantId);
      if (!loader) {
        loader = new DataLoader((keys) => batch(tenantId, keys), { maxBatchSize: 500 });
        loaders.set(tenantId, loader);
      }
      return loader;
    };
  };

  const people = perTenant<PersonRecord | null>(async (tenantId, ids) => {
    const byId = new Map((await repos.people.byIds(tenantId, ids)).map((p) => [p.id, p]));
    return ids.map((id) => byId.get(id) ?? null);
  });
  const faces = perTenant<FaceRecord[]>(async (tenantId, personIds) => {
    const byPerson = new Map<string, FaceRecord[]>(personIds.map((id) => [id, []]));
    for (const face of await repos.enrollment.facesOfPeople(tenantId, personIds)) byPerson.get(face.personId)?.push(face);
    return personIds.map((id) => byPerson.get(id) ?? []);
  });

  const galleriesOfPeople = perTenant<GalleryRecord[]>(async (tenantId, personIds) => {
    const byPerson = new Map<string, GalleryRecord[]>(personIds.map((id) => [id, []]));
    for (const { personId, gallery } of await repos.galleries.ofPeople(tenantId, personIds)) byPerson.get(personId)?.push(gallery);
    return personIds.map((id) => byPerson.get(id) ?? []);
  });
  const counts = perTenant<GalleryCounts>(async (tenantId, ids) => {
    const byId = await repos.galleries.counts(tenantId, ids);
    return ids.map((id) => byId.get(id) ?? { personCount: 0, faceCount: 0 });
  });

  return {
    galleriesOfPerson: (tenantId: string, personId: string): Promise<GalleryRecord[]> => galleriesOfPeople(tenantId).load(personId),
    galleryCounts: (tenantId: string, galleryId: string): Promise<GalleryCounts> => counts(tenantId).load(galleryId),
    person: (tenantId: string, id: string): Promise<PersonRecord | null> => people(tenantId).load(id),
    facesOfPerson: (tenantId: string, personId: string): Promise<FaceRecord[]> => faces(tenantId).load(personId),
  };
}

export type RequestLoaders = ReturnType<typeof createRequestLoaders>;
