#!/usr/bin/env node
// Entry point of the `dcs-migrate` command: runs the TypeScript CLI through tsx, so `npx dcs-migrate` works
// straight after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../client/cli.ts');
