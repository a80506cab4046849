export { readFrames, type FrameReaderOptions, type VideoFrame } from './frame-reader.js';
export { videoBytes, type VideoInput } from './video-input.js';
export { sampleVideo, checkFps, MAX_FPS, type VideoSettings } from './sample-video.js';
