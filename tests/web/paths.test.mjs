// Same-origin path rules for next= and push URLs.
import test from 'node:test';
import assert from 'node:assert/strict';

globalThis.self = globalThis;
await import('../../web/lib/paths.js');
const {sameOriginPath, pathOnOrigin, linkOnOrigin} = globalThis.RapportPaths;
const ORIGIN = 'http://rapport.test:8123';

test('a plain path stays as it is', () => {
  assert.equal(sameOriginPath('/log?meeting=4#who', ORIGIN), '/log?meeting=4#who');
  assert.equal(pathOnOrigin('/people/3', ORIGIN), '/people/3');
});

for (const next of ['/\\evil.example/x', '/\t/evil.example', '/\\\\evil.example', '//evil.example/x',
  'https://evil.example/', 'javascript:alert(1)', '\\\\evil.example', ' //evil.example']) {
  test(`next=${JSON.stringify(next)} does not leave the origin`, () => {
    const path = sameOriginPath(next, ORIGIN);
    assert.equal(new URL(path, ORIGIN).origin, ORIGIN);
    assert.equal(path, '/');
  });
}

test('a path that parses to two leading slashes is collapsed, not followed', () => {
  const path = sameOriginPath('/.//evil.example/x', ORIGIN);
  assert.equal(path, '/evil.example/x');
  assert.equal(new URL(path, ORIGIN).origin, ORIGIN);
});

test('a push URL built for another port opens the same path here', () => {
  assert.equal(pathOnOrigin('http://127.0.0.1:8000/log?meeting=12', ORIGIN), '/log?meeting=12');
});

test('a push URL on another host is read as a path on this origin, never followed', () => {
  assert.equal(pathOnOrigin('https://evil.example/log?meeting=1', ORIGIN), '/log?meeting=1');
  assert.equal(pathOnOrigin('//evil.example', ORIGIN), '/');
  assert.equal(pathOnOrigin('http://x//evil.example/a', ORIGIN), '/evil.example/a');
});

test('what is not an http URL opens Today', () => {
  for (const value of ['javascript:alert(1)', 'data:text/html,hi', '', null, 42, undefined]) {
    assert.equal(pathOnOrigin(value, ORIGIN), '/');
  }
});

test('a feed link built for the default port reads on the origin the page is on', () => {
  assert.deepEqual(linkOnOrigin('http://127.0.0.1:8000/calendar/s3cret.ics', ORIGIN),
    {url: 'http://rapport.test:8123/calendar/s3cret.ics', webcal: 'webcal://rapport.test:8123/calendar/s3cret.ics'});
  assert.equal(linkOnOrigin('/calendar/x.ics', 'https://r.example').webcal, 'webcal://r.example/calendar/x.ics');
});
