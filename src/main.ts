import 'dotenv/config';
import { startApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';

/** Entry point of `npm start`: validate the environment, start the bot, stop cleanly on SIGTERM/SIGINT. */
async function main(): Promise<void> {
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
  // Handlers go in before the (slow) start, so a stop requested while starting waits for the start
  // to finish and then stops cleanly, instead of killing the process half-way.
  let stopRequested: string | undefined;
  let stopApp: (() => Promise<void>) | undefined;
  const shutdown = (signal: string) => {
    if (stopRequested) return;
    stopRequested = signal;
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
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  const app = await startApp(config, logger);
  stopApp = () => app.stop();
  if (stopRequested) finish(app.stop());
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`liaison-bot: cannot start:\n${error.problems.join('\n')}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `liaison-bot: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
