import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readBody, SlackSignature } from '../../src/http/slack-signature.ts';
import { signSlackRequest } from '../support/slack-requests.ts';

// Pure: no server, no Slack. Signed the way test/support signs (and Slack signs) requests.
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const NOW_S = 1_700_000_000;
const signature = new SlackSignature({ signingSecret: SECRET, now: () => NOW_S * 1000 });

function request(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

describe('SlackSignature', () => {
  const body = 'command=%2Ffleet&text=health+%E2%9C%93&trigger_id=1.2.3';

  it('accepts a body signed with the secret within five minutes, either way', () => {
    for (const at of [NOW_S, NOW_S - 299, NOW_S + 299]) {
      expect(signature.problem(request({ ...signSlackRequest(body, SECRET, at) }), Buffer.from(body))).toBe(
        undefined,
      );
    }
  });

  it('refuses another secret, another body, a stale or future timestamp, and missing headers', () => {
    const signed = signSlackRequest(body, SECRET, NOW_S);
    expect(
      signature.problem(request({ ...signSlackRequest(body, 'another', NOW_S) }), Buffer.from(body)),
    ).toBe('signature mismatch');
    expect(signature.problem(request({ ...signed }), Buffer.from(`${body}&user_id=U1`))).toBe(
      'signature mismatch',
    );
    expect(signature.problem(request({ ...signed, 'x-slack-signature': 'v0=' }), Buffer.from(body))).toBe(
      'signature mismatch',
    );
    for (const at of [NOW_S - 301, NOW_S + 301]) {
      expect(signature.problem(request({ ...signSlackRequest(body, SECRET, at) }), Buffer.from(body))).toBe(
        'stale or future timestamp',
      );
    }
    expect(signature.problem(request({}), Buffer.from(body))).toBe('missing headers');
    expect(
      signature.problem(request({ ...signed, 'x-slack-request-timestamp': '1e9' }), Buffer.from(body)),
    ).toBe('missing headers');
  });
});

describe('readBody', () => {
  it('joins the chunks, and refuses more than the limit', async () => {
    const stream = () => Readable.from([Buffer.from('ab'), Buffer.from('cd')]) as unknown as IncomingMessage;
    expect((await readBody(stream(), 4)).toString()).toBe('abcd');
    await expect(readBody(stream(), 3)).rejects.toThrow('over 3 bytes');
  });
});
