import { LogLevel, type Logger as SlackLogger } from '@slack/logger';
import type { Logger } from '../logging/logger.ts';

/** Bolt's and the WebClient's logger interface over pino, so their lines are JSON and redacted like ours. */
export function toSlackLogger(logger: Logger): SlackLogger {
  let level = LogLevel.INFO;
  return {
    debug: (...msg) => logger.debug(msg.map(String).join(' ')),
    info: (...msg) => logger.info(msg.map(String).join(' ')),
    warn: (...msg) => logger.warn(msg.map(String).join(' ')),
    error: (...msg) => logger.error(msg.map(String).join(' ')),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
