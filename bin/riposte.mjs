#!/usr/bin/env node
// The `riposte` command. Runs the TypeScript sources directly through tsx so the CLI and
// the Lambdas share one copy of the domain code, with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
