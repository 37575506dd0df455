import { describe, expect, it } from 'vitest';
import { ManifestError } from './errors.ts';
import { lintManifest } from './manifest-lint.ts';
import { parseManifest, plugletEntries } from './manifest.ts';

const good = `be.example.monitoring rate_unlimited
# comment
update_rtt post rtt.o
parse_frame param 0x42 replace frames/parse.o
get_stats extern stats.o
-
extras.plugin include
`;

function errorOf(text: string): ManifestError {
  try {
    parseManifest(text);
  } catch (e) {
    if (e instanceof ManifestError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('parseManifest', () => {
  it('parses name, options, anchors, parameters, includes and the phase separator', () => {
    const m = parseManifest(good);
    expect(m.name).toBe('be.example.monitoring');
    expect(m.flags).toEqual(['rate_unlimited']);
    expect(plugletEntries(m)).toEqual([
      { kind: 'pluglet', line: 3, protoop: 'update_rtt', anchor: 'post', path: 'rtt.o', phase: 0 },
      { kind: 'pluglet', line: 4, protoop: 'parse_frame', param: 0x42, anchor: 'replace', path: 'frames/parse.o', phase: 0 },
      { kind: 'pluglet', line: 5, protoop: 'get_stats', anchor: 'extern', path: 'stats.o', phase: 0 },
    ]);
    expect(m.entries[3]).toEqual({ kind: 'include', line: 7, path: 'extras.plugin', phase: 1 });
  });

  it.each([
    ['', 'manifest-empty', 1],
    ['Not_A_Name\n', 'manifest-name', 1],
    ['be.example.p turbo\n', 'manifest-flag', 1],
    ['be.example.p\nupdate_rtt sideways x.o\n', 'manifest-anchor', 2],
    ['be.example.p\nupdate_rtt pre ../x.o\n', 'manifest-path', 2],
    ['be.example.p\nupdate_rtt pre /abs.o\n', 'manifest-path', 2],
    ['be.example.p\nupdate_rtt pre x.c\n', 'manifest-object', 2],
    ['be.example.p\n\nparse_frame param 70000 replace x.o\n', 'manifest-param', 3],
    ['be.example.p\nparse_frame param replace x.o\n', 'manifest-param', 2],
    ['be.example.p\nupdate_rtt pre\n', 'manifest-syntax', 2],
    ['be.example.p\n-\n-\n', 'manifest-separator', 3],
    ['be.example.p\nbad-op pre x.o\n', 'manifest-protoop', 2],
  ])('refuses %j with %s at line %i', (text, code, line) => {
    const e = errorOf(text);
    expect(e.code).toBe(code);
    expect(e.line).toBe(line);
    expect(e.message).toMatch(new RegExp(`^line ${line}: `));
  });
});

describe('lintManifest', () => {
  const files = new Set(['rtt.o', 'frames/parse.o', 'stats.o', 'extras.plugin']);
  it('accepts a consistent manifest', () => {
    expect(lintManifest(parseManifest(good), { files }).filter((f) => f.severity === 'error')).toEqual([]);
  });

  const cases: [string, string][] = [
    ['be.example.p\nupdate_rtt post missing.o\n', 'object "missing.o" is not in the plugin'],
    ['be.example.p\nno_such_op post rtt.o\n', "neither one of PQUIC's nor defined extern"],
    ['be.example.p\nupdate_rtt replace rtt.o\nupdate_rtt replace stats.o\n', 'already has a replace/extern pluglet (line 2)'],
    ['be.example.p\nget_stats extern stats.o\nget_stats pre rtt.o\n', 'cannot have pre/post pluglets'],
    ['be.example.p\nupdate_rtt param 3 post rtt.o\n', 'takes no parameter'],
    ['be.example.p\nupdate_rtt extern rtt.o\n', 'cannot be anchored extern'],
    ['be.example.p\n', 'anchors no pluglet'],
  ];
  it.each(cases)('refuses %j', (text, message) => {
    const errors = lintManifest(parseManifest(text), { files }).filter((f) => f.severity === 'error');
    expect(errors.map((f) => f.message).join('\n')).toContain(message);
  });

  it('accepts replace on distinct parameters and pre/post on built-in operations', () => {
    const m = parseManifest('be.example.p\nparse_frame param 1 replace rtt.o\nparse_frame param 2 replace stats.o\nupdate_rtt pre rtt.o\nupdate_rtt post stats.o\n');
    expect(lintManifest(m, { files }).filter((f) => f.severity === 'error')).toEqual([]);
  });
});
