import type { Viewer } from '../auth/index.js';
import { DEFAULT_VIDEO_ENROLLMENT_POLICY } from '../enrollment/video-enrollment.js';
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
 * Like `after`, but the spend's round trip runs while the use case works instead of before it: the
 * use case receives it as a reservation and awaits it before it stores anything, so a refused call
 * stores nothing and answers the refusal, as with `after`. An identify spends its quota in the
 * shadow of the image analysis rather than adding a database round trip (0.7-0.8 ms on a 2-core
 * machine) to every call. A refused call does the analysis for nothing, which is why the limits
 * service refuses a tenant it knows to be over quota from memory (limits-service.ts).
 */
function alongside<A extends [Viewer, ...any[]], R>(self: object, fn: (...args: [...A, Promise<unknown>]) => Promise<R>, spend: (...args: A) => Promise<Refund>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    const spending = spend(...args);
    // Awaited below on every path; this only keeps an early refusal from counting as unhandled.
    spending.catch(() => undefined);
    let result: R;
    try {
      result = await fn.apply(self, [...args, spending]);
    } catch (err) {
      // A refusal wins over the use case's own error, as it did when the spend ran first.
      const refund = await spending;
      await refund().catch(() => undefined);
      throw err;
    }
    await spending;
    return result;
  };
}

/**
 * The use-case methods that spend a quota, typed by shape so this layer never names services.ts.
 * Method syntax on purpose: a use case taking a richer input still fits.
 */
export interface Guardable {
  identify: { identify(viewer: Viewer, input: unknown, reservation?: Promise<unknown>): Promise<unknown> };
  frames: { identifyFrames(viewer: Viewer, input: unknown): Promise<unknown>; identifyVideo(viewer: Viewer, input: unknown, signal?: AbortSignal): Promise<unknown> };
  enrollment: { addImages(viewer: Viewer, input: { images: readonly unknown[] }): Promise<unknown>; enrollFaces(viewer: Viewer, input: { images: readonly unknown[] }): Promise<unknown> };
  videoEnrollment: { enrollVideo(viewer: Viewer, input: { maxFrames?: number | null }, signal?: AbortSignal): Promise<unknown> };
  people: { create(viewer: Viewer, input: unknown): Promise<unknown> };
}

/**
 * The use cases with their quotas in front: identify calls per day, enrollment images per day
 * and faces per tenant, people per tenant. Wrapped here rather than inside each use case so the
 * quota policy stays in one file and the use cases stay unaware of it.
 */
export function guardServices<S extends Guardable>(services: S, limits: LimitsService): S {
  const { identify, frames, enrollment, videoEnrollment, people } = services;
  const identifyCall = (viewer: Viewer) => limits.spendIdentify(viewer);
  const images = (viewer: Viewer, input: { images: readonly unknown[] }) => limits.spendEnrollment(viewer, input.images.length);
  return {
    ...services,
    identify: { ...identify, identify: alongside(identify, identify.identify, identifyCall) },
    frames: {
      ...frames,
      identifyFrames: after(frames, frames.identifyFrames, identifyCall),
      identifyVideo: after(frames, frames.identifyVideo, identifyCall),
    },
    enrollment: { ...enrollment, addImages: after(enrollment, enrollment.addImages, images), enrollFaces: after(enrollment, enrollment.enrollFaces, images) },
    // A video keeps at most maxFrames faces; that is what it may add.
    videoEnrollment: {
      ...videoEnrollment,
      enrollVideo: after(videoEnrollment, videoEnrollment.enrollVideo, (viewer, input) => limits.spendEnrollment(viewer, input.maxFrames ?? DEFAULT_VIDEO_ENROLLMENT_POLICY.defaultMaxFrames)),
    },
    people: { ...people, create: after(people, people.create, (viewer) => limits.checkNewPerson(viewer)) },
  };
}
