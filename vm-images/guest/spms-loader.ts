// The service bundle's entry, /opt/spms/app/spms.mjs: runs the services
// (spms-services.cjs, spms-guest.ts bundled as CommonJS) with a V8 code
// cache. Under software emulation, compiling the ~3 MB bundle is a large
// part of a node's start; the cache, written once when the role image is
// built (`spms.mjs --write-code-cache`, on the guest's own runtime, after
// the bundle's modules have run once), lets V8 skip it. Without a cache, or
// with one V8 rejects (another runtime), the bundle is compiled as usual.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

type Services = { main?: (argv: string[]) => Promise<number> };
type CommonJsWrapper = (exports: Services, require: NodeJS.Require, module: { exports: Services }, filename: string, dirname: string) => void;

const SERVICES = fileURLToPath(new URL('./spms-services.cjs', import.meta.url));
const CACHE = `${SERVICES}.cache`;

function readCache(): Buffer | undefined {
  try {
    return readFileSync(CACHE);
  } catch {
    return undefined;
  }
}

const cachedData = readCache();
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(SERVICES, 'utf8')}\n})`, {
  filename: SERVICES,
  ...(cachedData === undefined ? {} : { cachedData }),
  importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
if (cachedData !== undefined && script.cachedDataRejected === true) console.error(`spms: ${CACHE} does not fit this runtime; compiling the services without it`);
const module: { exports: Services } = { exports: {} };
(script.runInThisContext() as CommonJsWrapper)(module.exports, createRequire(SERVICES), module, SERVICES, dirname(SERVICES));
const main = module.exports.main;
if (typeof main !== 'function') throw new Error(`${SERVICES} does not export main`);

const args = process.argv.slice(2);
if (args[0] === '--write-code-cache') {
  const cache = script.createCachedData();
  writeFileSync(CACHE, cache);
  console.log(`spms: code cache written (${cache.length} bytes)`);
} else {
  process.exitCode = await main(args);
}
