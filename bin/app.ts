#!/usr/bin/env node
/**
 * The CDK app (`cdk.json`: `npx tsx bin/app.ts`): the `Riposte` stack for the security account,
 * configured from the `riposte` context key, with every playbook of `playbooks/` (loaded with
 * top-level await: the app runs as ESM under tsx), and the `RiposteMember` stack, the role for
 * every member account (always synthesized: one parameterized template for a service-managed
 * StackSet, see `lib/member-account-stack.ts`), both checked by cdk-nag's AWS Solutions pack.
 * Any unacknowledged cdk-nag error fails the synth; findings are written to
 * `cdk.out/validation-report.json`.
 * Acknowledgements live next to the resource they concern (see `lib/ingest-function.ts`), each
 * with its reason.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig } from '../functions/core/config/schema.ts';
import { loadPlaybooks } from '../functions/core/playbooks/registry.ts';
import { RiposteMemberStack } from '../lib/member-account-stack.ts';
import { RiposteStack } from '../lib/riposte-stack.ts';

const app = new App();
const config = parseConfig(app.node.tryGetContext('riposte'));
const playbooks = await loadPlaybooks();
new RiposteStack(app, 'Riposte', { config, playbooks });
new RiposteMemberStack(app, 'RiposteMember', { config });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
