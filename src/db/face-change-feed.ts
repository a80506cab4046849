import { FACE_CHANGES_CHANNEL } from './face-changes.js';
import { parseFaceChangePayload, type FaceChangeNotice } from './face-index-source.js';
import type { ListenSubscriber } from './listen-subscriber.js';

/** Where change notices from other processes come from; `null` means "notices may have been missed: catch up everything loaded". */
export interface FaceChangeFeed {
  start(onNotice: (notice: FaceChangeNotice | null) => void): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Face changes committed by any process, on the process's shared LISTEN connection (its owner
 * connects and closes it). pg-listen re-LISTENs after a lost connection and then emits
 * "connected": notices sent in between are gone, so that is answered with a full catch-up.
 */
export function pgFaceChangeFeed(subscriber: ListenSubscriber): FaceChangeFeed {
  let onText: ((text: unknown) => void) | undefined;
  let onConnected: (() => void) | undefined;
  return {
    async start(onNotice) {
      onText = (text) => {
        const notice = typeof text === 'string' ? parseFaceChangePayload(text) : null;
        if (notice) onNotice(notice);
      };
      onConnected = () => onNotice(null);
      subscriber.notifications.on(FACE_CHANGES_CHANNEL, onText);
      subscriber.events.on('connected', onConnected);
      await subscriber.listenTo(FACE_CHANGES_CHANNEL);
    },
    async stop() {
      if (onText) subscriber.notifications.removeListener(FACE_CHANGES_CHANNEL, onText);
      if (onConnected) subscriber.events.removeListener('connected', onConnected);
    },
  };
}
