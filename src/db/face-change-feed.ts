import { FACE_CHANGES_CHANNEL } from './face-changes.js';
import { parseFaceChangePayload, type FaceChangeNotice } from './face-index-source.js';
import { listenOn, type ListenSubscriber } from './listen-subscriber.js';

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
  let stop = () => {};
  return {
    async start(onNotice) {
      const onConnected = () => onNotice(null);
      subscriber.events.on('connected', onConnected);
      const unlisten = await listenOn(subscriber, FACE_CHANGES_CHANNEL, (text) => {
        const notice = parseFaceChangePayload(text);
        if (notice) onNotice(notice);
      });
      stop = () => {
        unlisten();
        subscriber.events.removeListener('connected', onConnected);
      };
    },
    async stop() {
      stop();
    },
  };
}
