/** Identifiers in Slack's shapes, unique within one fake. */
import { randomInt } from 'node:crypto';

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** `prefix` + 10 uppercase alphanumerics, like `F07QW3X1ABC` (files), `V…` (views), `C…` (channels). */
export function slackId(prefix: string): string {
  let id = prefix;
  for (let i = 0; i < 10; i++) id += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return id;
}

/**
 * Message timestamps (`1749736921.000100`): the current second and a sequence, strictly increasing for the
 * fake's lifetime, so `ts` is both a unique message id and an order as on Slack.
 */
export class MessageClock {
  #seconds = 0;
  #sequence = 0;

  next(): string {
    const now = Math.floor(Date.now() / 1000);
    if (now > this.#seconds) {
      this.#seconds = now;
      this.#sequence = 100;
    } else if (this.#sequence + 100 > 999_999) {
      this.#seconds++;
      this.#sequence = 100;
    } else {
      this.#sequence += 100;
    }
    return `${this.#seconds}.${String(this.#sequence).padStart(6, '0')}`;
  }
}
