import { type Logger, LogLevel } from '@slack/logger';

/**
 * A Slack SDK logger that prints nothing: the fake-slack tests provoke rate limits, refused starts
 * and error answers on purpose, and the WebClient / Socket Mode client would log each one.
 */
export const quietSlackLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};
