import { openConfiguredDatabase } from '../app.js';
import { type AppConfig, ConfigError, loadConfig } from '../config.js';
import type { Database } from '../db/client.js';
import { DataDirInUseError, describeHolder } from '../db/data-dir-lock.js';
import { PostgresDriverUnpatchedError } from '../db/driver-patch.js';
import { createLogger, type Logger } from '../logger.js';
import { packageVersion } from '../paths.js';
import { backupCommand } from './backup.js';
import { type BareCliContext, type CliCommand, type CliIo, EXIT } from './command.js';
import { ControlUnavailableError, runThroughBot } from './control.js';
import { digestCommand } from './digest.js';
import { exportCommand } from './export.js';
import { headsCommand } from './heads.js';
import { holidaysCommand } from './holidays.js';
import { inboxCommand } from './inbox.js';
import { inviteCommand } from './invite.js';
import { migrateCommand } from './migrate.js';
import { writeOutputFile } from './output.js';
import { restoreCommand } from './restore.js';
import { retentionCommand } from './retention.js';
import { rotateKeyCommand } from './rotate-key.js';
import { unitsCommand } from './units.js';

/** The operator commands, by name. Features add theirs here. */
export const commands: Record<string, CliCommand> = {
  migrate: migrateCommand,
  invite: inviteCommand,
  units: unitsCommand,
  heads: headsCommand,
  holidays: holidaysCommand,
  export: exportCommand,
  digest: digestCommand,
  'rotate-key': rotateKeyCommand,
  retention: retentionCommand,
  inbox: inboxCommand,
  backup: backupCommand,
  restore: restoreCommand,
};

/** The CLI's help: every command, the exit statuses, and how it shares DATA_DIR with the bot. */
export function cliUsage(): string {
  const lines = Object.values(commands).map((command) => `  ${command.usage}`);
  const through = Object.entries(commands)
    .filter(([, command]) => command.throughBot)
    .map(([name]) => name)
    .join(', ');
  return [
    `liaison-bot ${packageVersion()} operator CLI`,
    '',
    'usage: npm run cli -- <command> [arguments]   (or: liaison-bot <command>)',
    '       npm run cli -- <command> --help | --help | --version',
    '',
    'commands:',
    ...lines,
    '',
    'Data goes to stdout, messages and logs to stderr.',
    'Exit status: 0 done, 1 failed, 2 bad usage or configuration (or DATA_DIR in use).',
    `While the bot runs on the embedded database, ${through} go through the running bot;`,
    'other commands refuse (exit 2) until it is stopped.',
    '',
  ].join('\n');
}

const HELP = new Set(['help', '--help', '-h']);
const VERSION = new Set(['version', '--version', '-V']);

/** The standard streams, and files written in this process. */
const processIo: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  writeOutput: (path, content) => writeOutputFile(path, content),
};

/** Runs one CLI invocation and returns its exit status (exported for tests). */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  io: CliIo = processIo,
): Promise<number> {
  const [name, ...args] = argv;
  if (name !== undefined && HELP.has(name)) {
    io.stdout.write(cliUsage());
    return EXIT.ok;
  }
  if (name !== undefined && VERSION.has(name)) {
    io.stdout.write(`${packageVersion()}\n`);
    return EXIT.ok;
  }
  const command = name ? commands[name] : undefined;
  if (!name || !command) {
    io.stderr.write(`${name ? `unknown command: ${name}\n\n` : ''}${cliUsage()}`);
    return EXIT.usage;
  }
  if (args.some((arg) => HELP.has(arg))) {
    io.stdout.write(`usage: npm run cli -- ${command.usage}\n`);
    return EXIT.ok;
  }
  let config: AppConfig;
  try {
    // The CLI does not talk to Telegram, but shares the bot's environment; a placeholder token is fine.
    config = loadConfig({ BOT_TOKEN: '0:cli', ...env });
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`the environment is invalid:\n${error.problems.join('\n')}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  // Logs go to stderr: stdout is the command's data.
  const logger = createLogger(env.LOG_LEVEL ?? 'warn', { fd: 2 });
  const bare: BareCliContext = { config, logger, args, ...io };
  try {
    const early = await command.prepare?.(bare);
    if (early !== undefined) return early;
    let database: Database;
    try {
      database = await openConfiguredDatabase(config, logger, { role: 'cli', command: name });
    } catch (error) {
      if (!(error instanceof DataDirInUseError)) throw error;
      if (!command.throughBot || error.holder.role !== 'bot') return refuse(io, name, error);
      logger.debug({ pid: error.holder.pid }, 'DATA_DIR is held by the bot: running the command through it');
      try {
        return await runThroughBot(config.dataDir, argv, io);
      } catch (failure) {
        if (failure instanceof ControlUnavailableError) return refuse(io, name, error, failure.message);
        throw failure;
      }
    }
    try {
      return await command.run({ ...bare, database });
    } finally {
      await database.close();
    }
  } catch (error) {
    if (error instanceof DataDirInUseError) return refuse(io, name, error);
    if (error instanceof PostgresDriverUnpatchedError) {
      io.stderr.write(`${name}: cannot open PostgreSQL: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof ConfigError) {
      io.stderr.write(`${error.problems.join('\n')}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}

function refuse(io: CliIo, name: string, error: DataDirInUseError, detail?: string): number {
  const { holder } = error;
  const advice =
    holder.role === 'bot'
      ? commands[name]?.throughBot
        ? 'It is still starting, or too old to take commands: try again in a moment.'
        : `Stop it first (e.g. systemctl stop liaison-bot) to run ${name}.`
      : 'Wait for that command to finish.';
  io.stderr.write(
    `${name}: DATA_DIR ${error.dataDir} is in use by ${describeHolder(holder)}.\n${detail ? `${detail}\n` : ''}${advice}\n`,
  );
  return EXIT.usage;
}

/**
 * Runs a command the CLI sent over the control socket, inside the running bot, on the bot's own
 * database and configuration.
 */
export async function runInsideBot(
  argv: string[],
  bot: { config: AppConfig; database: Database; logger: Logger },
  io: CliIo,
): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? commands[name] : undefined;
  if (!name || !command?.throughBot) {
    io.stderr.write(`${name ?? '(none)'}: not a command the running bot takes\n`);
    return EXIT.usage;
  }
  bot.logger.info({ command: name }, 'running a CLI command for the operator');
  return command.run({
    config: bot.config,
    database: bot.database,
    logger: bot.logger.child({ part: 'cli', command: name }),
    args,
    ...io,
  });
}
