/** Every Web API method the fake answers; anything else is `unknown_method`, as on Slack. */
import { ok } from './answers.ts';
import { chatMethods } from './chat-methods.ts';
import { conversationMethods } from './conversation-methods.ts';
import { directoryMethods } from './directory-methods.ts';
import { fileMethods } from './file-methods.ts';
import type { MethodHandler } from './method-handler.ts';
import { viewMethods } from './view-methods.ts';

export const METHODS: Readonly<Record<string, MethodHandler>> = {
  ...chatMethods,
  ...viewMethods,
  ...conversationMethods,
  ...directoryMethods,
  ...fileMethods,
  'apps.connections.open': (_args, { socket }) => ok({ url: socket.issueUrl() }),
};
