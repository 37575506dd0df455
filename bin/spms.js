#!/usr/bin/env node
// The `spms` command: registers the TypeScript loader, then hands over to the
// dispatcher, which finds each sub-command in bin/commands/<name>.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./dispatch.ts');
process.exitCode = await main(process.argv.slice(2));
