#!/usr/bin/env node
import 'dotenv/config';
import { runCli } from './cli/run.js';

// The operator CLI's entry point (`npm run cli -- …`, or the package's bin).
runCli(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
