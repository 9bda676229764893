import { LogLevel, type Logger as SlackLogger } from '@slack/logger';
import type { Logger } from '../logging/logger.ts';

/** What a Slack SDK line keeps of itself at most: enough to say what happened, never a whole body. */
const MAX_LINE = 300;
const OMITTED = '[body omitted]';

/**
 * Bolt's, the WebClient's and the Socket Mode client's logger interface over pino, so their lines
 * are JSON and redacted like ours. Those SDKs log whole payloads at debug level ("Received a
 * message on the WebSocket: {…}", "http request body: {…}") — a secret typed in a form would be
 * among them — so every line is cut where a body begins, at any level: bodies never reach our logs.
 * Bolt logs at debug on every request: the level is checked before any message is built.
 */
export function toSlackLogger(logger: Logger): SlackLogger {
  let level = LogLevel.INFO;
  const at =
    (method: 'debug' | 'info' | 'warn' | 'error') =>
    (...msg: unknown[]) => {
      if (logger.isLevelEnabled(method)) logger[method](withoutBodies(msg));
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

/** The words of a log call up to the first body (an object, or text where JSON or a form starts). */
export function withoutBodies(parts: readonly unknown[]): string {
  const words: string[] = [];
  for (const part of parts) {
    if (typeof part !== 'string') {
      words.push(part instanceof Error ? `${part.name}: ${cut(part.message)}` : OMITTED);
      continue;
    }
    words.push(cut(part));
  }
  return words.join(' ');
}

function cut(text: string): string {
  const body = text.search(/[{[]|\b\w+=[^\s&]*&/);
  const kept = body < 0 ? text : `${text.slice(0, body)}${OMITTED}`;
  return kept.length > MAX_LINE ? `${kept.slice(0, MAX_LINE)}…` : kept;
}
