#!/usr/bin/env node
import 'dotenv/config';
// Second, before anything loads telegraf: the `debug` package reads DEBUG when it is first imported.
// A bare import, so sorting the imports below can never move it after them.
import './debug-guard.js';
import { runCli } from './cli/run.js';
import { debugGuard } from './debug-guard.js';

if (debugGuard.kind === 'silenced') {
  process.stderr.write(
    "liaison-bot: DEBUG names telegraf, whose debug output prints message texts: telegraf's namespaces are switched off (LOG_UNSAFE_DEBUG=1 would allow them)\n",
  );
}

// The operator CLI's entry point (`npm run cli -- …`, or the package's bin).
runCli(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
