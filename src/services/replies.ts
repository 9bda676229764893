import type { MessageContent, OutboundMessage } from '../domain/notifier.ts';
import type { Requester } from '../domain/requester.ts';

/**
 * The one place that decides where an answer to a person goes.
 *
 * A private reply (a refusal, an error before anything ran, a confirmation only they may press)
 * goes through the interaction's response_url when there is one — it works in channels fleetbot is
 * not in — and otherwise as an ephemeral message in the channel they typed in.
 */
export function privateReply(requester: Requester, key: string, content: MessageContent): OutboundMessage {
  return requester.responseUrl
    ? {
        kind: 'respond',
        key,
        responseUrl: requester.responseUrl,
        content,
        replaceOriginal: false,
        visibility: 'ephemeral',
      }
    : { kind: 'ephemeral', key, channel: requester.channel, user: requester.user, content };
}

/**
 * A note about a message that could not be posted where they asked: through the response_url when
 * there is one, else a direct message, since the channel itself is what failed.
 */
export function noteToRequester(requester: Requester, key: string, content: MessageContent): OutboundMessage {
  return requester.responseUrl
    ? privateReply(requester, key, content)
    : { kind: 'post', key, channel: requester.user, content };
}
