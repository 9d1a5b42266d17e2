#!/usr/bin/env node
// `npm run test:faults [-- --full] [vitest args]`: vitest rejects unknown flags, so --full becomes FAULTS_FULL=1.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const full = args.includes('--full');
const rest = args.filter((arg) => arg !== '--full');
const result = spawnSync(
  process.execPath,
  ['node_modules/vitest/vitest.mjs', 'run', '--config', 'vitest.faults.config.ts', ...rest],
  { stdio: 'inherit', env: { ...process.env, ...(full ? { FAULTS_FULL: '1' } : {}) } },
);
process.exit(result.status ?? 1);
