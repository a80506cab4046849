import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PpmStream } from '../../src/video/ppm-stream.js';

function ppm(width: number, height: number, fill: number): Buffer {
  return Buffer.concat([Buffer.from(`P6\n${width} ${height}\n255\n`, 'latin1'), Buffer.alloc(width * height * 3, fill)]);
}

describe('PpmStream', () => {
  it('splits a stream into frames whatever the chunk boundaries, headers included', () => {
    const stream = Buffer.concat([ppm(3, 2, 7), ppm(2, 2, 9), ppm(1, 1, 255)]);
    for (const size of [1, 2, 5, 13, stream.length]) {
      const parser = new PpmStream();
      const frames = [];
      for (let i = 0; i < stream.length; i += size) frames.push(...parser.push(stream.subarray(i, i + size)));
      assert.deepEqual(frames.map((f) => [f.width, f.height, f.data.length, f.data[0]]), [[3, 2, 18, 7], [2, 2, 12, 9], [1, 1, 3, 255]], `chunk size ${size}`);
      assert.equal(parser.partial, false);
    }
  });

  it('reports a stream cut inside a frame', () => {
    const parser = new PpmStream();
    parser.push(ppm(4, 4, 1).subarray(0, 20));
    assert.equal(parser.partial, true);
  });

  it('refuses anything but 8-bit P6', () => {
    assert.throws(() => new PpmStream().push(Buffer.from('P5\n2 2\n255\n0000')), /P6/);
    assert.throws(() => new PpmStream().push(Buffer.from('P6\n2 2\n65535\n')), /P6/);
    assert.throws(() => new PpmStream().push(Buffer.from('P6\n0 2\n255\n')), /P6/);
  });
});
