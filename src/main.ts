import 'dotenv/config';
// Second, before anything loads telegraf: the `debug` package reads DEBUG when it is first imported.
// A bare import, so sorting the imports below can never move it after them.
import './debug-guard.js';
import { startApp } from './app.js';
import { type ControlServer, startControlServer } from './cli/control.js';
import { runInsideBot } from './cli/run.js';
import { ConfigError, loadConfig } from './config.js';
import { DataDirInUseError } from './db/data-dir-lock.js';
import { PostgresDriverUnpatchedError } from './db/driver-patch.js';
import { debugGuard } from './debug-guard.js';
import { createLogger } from './logger.js';
import { packageVersion } from './paths.js';

const HELP = `liaison-bot ${packageVersion()}: the cadre section's Telegram bot

usage: npm start                 (node dist/src/main.js)
       npm start -- --help | --version

Configured by environment variables (and .env): BOT_TOKEN is required; DATABASE_URL selects
PostgreSQL, otherwise the embedded database lives in DATA_DIR (default ./data). .env.example lists
every variable with its meaning; the README says how to run, back up, restore and upgrade.
The operator commands are \`npm run cli -- --help\`.

Exit status: 0 stopped cleanly, 1 failed (or stopped because its data key no longer opens the
database), 2 bad configuration, a key file others can read, or DATA_DIR in use by another process.
`;

/** Entry point of `npm start`: validate the environment, start the bot, stop cleanly on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const flags = process.argv.slice(2);
  if (flags.some((flag) => flag === '--help' || flag === '-h')) {
    process.stdout.write(HELP);
    return;
  }
  if (flags.some((flag) => flag === '--version' || flag === '-V')) {
    process.stdout.write(`${packageVersion()}\n`);
    return;
  }
  if (flags.length > 0) {
    process.stderr.write(`liaison-bot: unknown argument ${flags[0]}\n\n${HELP}`);
    process.exit(2);
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(
        `liaison-bot: cannot start, the environment is invalid:\n${error.problems.join('\n')}\n`,
      );
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  if (debugGuard.kind === 'silenced') {
    logger.warn(
      { DEBUG: debugGuard.debug },
      "DEBUG names telegraf, whose debug output prints every Bot API call with its text: telegraf's namespaces are switched off (LOG_UNSAFE_DEBUG=1 would allow them)",
    );
  } else if (debugGuard.kind === 'allowed') {
    logger.warn(
      { DEBUG: debugGuard.debug },
      "LOG_UNSAFE_DEBUG=1: telegraf's debug output is on and prints message texts (tips, names) to stderr",
    );
  }
  // Handlers go in before the (slow) start, so a stop requested while starting waits for the start
  // to finish and then stops cleanly, instead of killing the process half-way.
  let stopRequested: string | undefined;
  let stopApp: (() => Promise<void>) | undefined;
  // 0 after a signal; 1 when the bot stops itself because it cannot go on (exit status 1: failed).
  let exitStatus = 0;
  const shutdown = (signal: string, status = 0) => {
    if (stopRequested) return;
    stopRequested = signal;
    exitStatus = status;
    logger.info({ signal }, 'stopping');
    // A stop that hangs must not keep the process alive forever.
    setTimeout(() => {
      logger.error('graceful stop took too long; exiting');
      process.exit(1);
    }, 10_000).unref();
    if (stopApp) finish(stopApp());
  };
  const finish = (stopping: Promise<void>) =>
    stopping.then(
      () => {
        logger.info('stopped');
        process.exit(exitStatus);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // The data key moved away under the running bot (src/crypto/key-guard.ts): stop cleanly, exit 1.
  const app = await startApp(config, logger, { onFatal: () => shutdown('data key lost', 1) });
  // The embedded database admits this process only: the CLI's commands come in through a socket.
  let control: ControlServer | null = null;
  if (app.database.kind === 'pglite') {
    control = await startControlServer(
      config.dataDir,
      (argv, io) => runInsideBot(argv, { config, database: app.database, logger }, io),
      logger.child({ part: 'control' }),
    ).catch((error: unknown) => {
      logger.warn({ err: error }, 'control socket not started: CLI commands refuse while the bot runs');
      return null;
    });
  }
  stopApp = async () => {
    await control?.stop();
    await app.stop();
  };
  if (stopRequested) finish(stopApp());
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`liaison-bot: cannot start:\n${error.problems.join('\n')}\n`);
    process.exit(2);
  }
  if (error instanceof DataDirInUseError || error instanceof PostgresDriverUnpatchedError) {
    process.stderr.write(`liaison-bot: cannot start: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `liaison-bot: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
