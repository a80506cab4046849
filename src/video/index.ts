export { readFrames } from './frame-reader.js';
export type { VideoInput } from './video-input.js';
export { sampleVideo, checkFps, type VideoSettings } from './sample-video.js';
