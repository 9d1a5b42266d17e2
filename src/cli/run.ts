import { openConfiguredDatabase } from '../app.js';
import { type AppConfig, ConfigError, loadConfig } from '../config.js';
import type { Database } from '../db/client.js';
import { createLogger, type Logger } from '../logger.js';
import { digestCommand } from './digest.js';
import { exportCommand } from './export.js';
import { inboxCommand } from './inbox.js';
import { inviteCommand } from './invite.js';
import { retentionCommand } from './retention.js';
import { rotateKeyCommand } from './rotate-key.js';
import { unitsCommand } from './units.js';

/** What a CLI command gets: the environment, an open database, its arguments and where to write. */
export interface CliContext {
  config: AppConfig;
  database: Database;
  logger: Logger;
  args: string[];
  stdout: NodeJS.WritableStream;
}

/** A CLI command: returns the exit status. */
export interface CliCommand {
  usage: string;
  run(ctx: CliContext): Promise<number>;
}

/** The operator commands, by name. Features add theirs here. */
export const commands: Record<string, CliCommand> = {
  migrate: {
    usage: 'migrate                         apply database migrations and exit',
    async run({ stdout }) {
      // openConfiguredDatabase has already migrated; saying so is all that is left.
      stdout.write('migrations applied\n');
      return 0;
    },
  },
  invite: inviteCommand,
  units: unitsCommand,
  export: exportCommand,
  digest: digestCommand,
  'rotate-key': rotateKeyCommand,
  retention: retentionCommand,
  inbox: inboxCommand,
};

function usage(): string {
  return `usage: npm run cli -- <command>\n\ncommands:\n${Object.values(commands)
    .map((command) => `  ${command.usage}`)
    .join('\n')}\n`;
}

/** Runs one CLI invocation and returns its exit status (exported for tests). */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    process.stderr.write(
      name && name !== 'help' && name !== '--help' ? `unknown command: ${name}\n${usage()}` : usage(),
    );
    return name === 'help' || name === '--help' ? 0 : 2;
  }
  let config: AppConfig;
  try {
    // The CLI does not talk to Telegram, but shares the bot's environment; a placeholder token is fine.
    config = loadConfig({ BOT_TOKEN: '0:cli', ...env });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`the environment is invalid:\n${error.problems.join('\n')}\n`);
      return 2;
    }
    throw error;
  }
  const logger = createLogger(env.LOG_LEVEL ?? 'warn');
  const database = await openConfiguredDatabase(config, logger);
  try {
    return await command.run({ config, database, logger, args, stdout: process.stdout });
  } finally {
    await database.close();
  }
}
