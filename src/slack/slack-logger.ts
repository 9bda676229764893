import { LogLevel, type Logger as SlackLogger } from '@slack/logger';
import type { Logger } from '../logging/logger.ts';

/**
 * Bolt's and the WebClient's logger interface over pino, so their lines are
 * JSON and redacted like ours. Bolt logs at debug on every request: the level
 * is checked before any message is built.
 */
export function toSlackLogger(logger: Logger): SlackLogger {
  let level = LogLevel.INFO;
  const at =
    (method: 'debug' | 'info' | 'warn' | 'error') =>
    (...msg: unknown[]) => {
      if (logger.isLevelEnabled(method)) logger[method](msg.map(String).join(' '));
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
