import type { Viewer } from '../auth/index.js';
import type { BaseServices } from '../services.js';
import { DEFAULT_VIDEO_ENROLLMENT_POLICY } from '../recognition/index.js';
import type { LimitsService, Refund } from './limits-service.js';

/**
 * `fn` bound to `self`, after `spend` has passed for the same arguments; if the use case then
 * fails (bad input, unknown session), what it spent is given back.
 */
function after<A extends [Viewer, ...any[]], R>(self: object, fn: (...args: A) => Promise<R>, spend: (...args: A) => Promise<Refund>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    const refund = await spend(...args);
    try {
      return await fn.apply(self, args);
    } catch (err) {
      await refund().catch(() => undefined);
      throw err;
    }
  };
}

/**
 * The use cases with their quotas in front: identify calls per day, enrollment images per day
 * and faces per tenant, people per tenant. Wrapped here rather than inside each use case so the
 * quota policy stays in one file and the use cases stay unaware of it.
 */
export function guardServices(services: BaseServices, limits: LimitsService): BaseServices {
  const { identify, frames, enrollment, videoEnrollment, people } = services;
  const identifyCall = (viewer: Viewer) => limits.spendIdentify(viewer);
  return {
    ...services,
    identify: { ...identify, identify: after(identify, identify.identify, identifyCall) },
    frames: {
      ...frames,
      identifyFrames: after(frames, frames.identifyFrames, identifyCall),
      identifyVideo: after(frames, frames.identifyVideo, identifyCall),
    },
    enrollment: {
      ...enrollment,
      addImages: after(enrollment, enrollment.addImages, (viewer, input) => limits.spendEnrollment(viewer, input.images.length)),
      enrollFaces: after(enrollment, enrollment.enrollFaces, (viewer, input) => limits.spendEnrollment(viewer, input.images.length)),
    },
    // A video keeps at most maxFrames faces; that is what it may add.
    videoEnrollment: { ...videoEnrollment, enrollVideo: after(videoEnrollment, videoEnrollment.enrollVideo, (viewer, input) => limits.spendEnrollment(viewer, input.maxFrames ?? DEFAULT_VIDEO_ENROLLMENT_POLICY.defaultMaxFrames)) },
    people: { ...people, create: after(people, people.create, (viewer) => limits.checkNewPerson(viewer)) },
  };
}
