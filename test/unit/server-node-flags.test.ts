import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SERVER_NODE_FLAGS } from '../../src/server-node-flags.js';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

test('the Dockerfile and npm start run the server with SERVER_NODE_FLAGS', () => {
  const cmd = read('Dockerfile').split('\n').find((line) => line.startsWith('CMD ["node"') && line.includes('src/main.ts'));
  assert.ok(cmd, 'the Dockerfile has a CMD running src/main.ts');
  const start = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.start!;
  for (const flag of SERVER_NODE_FLAGS) {
    assert.ok(cmd.includes(`"${flag}"`), `Dockerfile CMD lacks ${flag}`);
    assert.ok(start.split(' ').includes(flag), `npm start lacks ${flag}`);
  }
});

test('bench:identify and bench:request-cost run their own process (the bare pipeline) with SERVER_NODE_FLAGS too', () => {
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
  for (const name of ['bench:identify', 'bench:request-cost']) {
    for (const flag of SERVER_NODE_FLAGS) assert.ok(scripts[name]!.split(' ').includes(flag), `${name} lacks ${flag}`);
  }
});
