// Writes spms/core/vectors/tree.json. Run once when the format is fixed; the
// test suite then holds the implementation to these bytes.
import { writeFileSync } from 'node:fs';
import { computeTreeVectors } from '../../spms/core/vectors/tree-vectors.ts';

writeFileSync(new URL('../../spms/core/vectors/tree.json', import.meta.url), `${JSON.stringify(computeTreeVectors(), null, 2)}\n`);
console.log('wrote spms/core/vectors/tree.json');
