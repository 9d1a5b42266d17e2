/** The t.me link that opens a private chat with the bot and sends `/start <prefix>-<argument>`. */
export function deepLink(botUsername: string, prefix: string, argument: string | number): string {
  return `https://t.me/${botUsername}?start=${prefix}-${argument}`;
}
