/**
 * The product under load: the real startApp (webhook intake, inbox, handlers, outbox, sender) with the
 * sender's Telegram rate limit switched off, so the figure is the bot's own speed, not Telegram's cap.
 */
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { figures } from './figures.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  let statements = 0;
  const app = await startApp(config, createLogger(config.logLevel), {
    sender: { enforceLimits: false },
    database: {
      onStatement: () => {
        statements += 1;
      },
    },
  });
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'figures') {
      process.send?.(figures(statements));
      return;
    }
    if (message.type !== 'stop') return;
    app.stop().then(() => {
      process.send?.({ type: 'stopped', maxRssKb: process.resourceUsage().maxRSS }, () => process.exit(0));
    });
  });
  process.send?.({ type: 'ready', port: app.port });
}

main().catch((error: unknown) => {
  process.stderr.write(`product target failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
