import type { AppConfig } from './config.js';

/**
 * What handlers, use cases and jobs share besides a transaction: the configuration, a clock tests can
 * move, and the bot's username (for t.me links). It lives below every feature, so a use case can take
 * it without importing the bot.
 */
export interface Services {
  config: AppConfig;
  now(): Date;
  /** The bot's username, for deep links (`https://t.me/<username>?start=…`). */
  botUsername(): string;
}
