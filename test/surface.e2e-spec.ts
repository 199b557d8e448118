import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { appPerSuite } from './support/app';
import { eachEngine } from './support/engines';
import { type Surface, surfaceOf } from './support/surface';

/** Committed with the code: a change of a route's level or of the socket events shows in review. */
const SNAPSHOT = join(__dirname, '..', '..', 'test', 'surface.snapshot.json');
/** `npm run surface:update` sets it, to rewrite the snapshot from the running application. */
const UPDATE = process.env.SURFACE_UPDATE === '1';

/** The lines only one side has, prefixed as in a diff. */
function difference(expected: Surface, actual: Surface): string[] {
  const lines = (s: Surface) => [
    ...Object.entries(s.routes).map(([route, level]) => `${route}: ${level}`),
    ...Object.entries(s.socketEvents).flatMap(([namespace, events]) => events.map((e) => `socket ${namespace} ${e}`)),
  ];
  const [before, after] = [lines(expected), lines(actual)];
  return [
    ...before.filter((l) => !after.includes(l)).map((l) => `- ${l}`),
    ...after.filter((l) => !before.includes(l)).map((l) => `+ ${l}`),
  ];
}

eachEngine(__filename, (db) => {
  const running = appPerSuite(db);

  it('serves exactly the routes, levels and socket events of test/surface.snapshot.json', () => {
    const actual = surfaceOf(running());
    if (UPDATE) writeFileSync(SNAPSHOT, `${JSON.stringify(actual, null, 2)}\n`);
    assert.ok(existsSync(SNAPSHOT), 'no test/surface.snapshot.json: run `npm run surface:update`');
    const expected = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as Surface;
    const changes = difference(expected, actual);
    assert.deepEqual(
      changes,
      [],
      `the surface changed (review it, then run \`npm run surface:update\`):\n${changes.join('\n')}`,
    );
    assert.deepEqual(actual, expected, 'same entries in another order: run `npm run surface:update`');
  });

  it('lists no route without a level and no event outside a namespace', () => {
    const { routes, socketEvents } = surfaceOf(running());
    assert.ok(Object.keys(routes).length > 0);
    assert.deepEqual(
      Object.entries(routes).filter(
        ([, entry]) => !['not needed', 'optional', 'required'].includes(entry.replace(/; .*$/, '')),
      ),
      [],
    );
    assert.ok(socketEvents['/']?.includes('whoami'));
  });
});
