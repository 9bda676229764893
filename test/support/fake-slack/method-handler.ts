/** The shape of one Web API method in the fake, and what it may touch. */
import type { SlackAnswer } from './answers.ts';
import type { SlackArgs } from './call-log.ts';
import type { MessageStore } from './message-store.ts';
import type { FakeSocketMode } from './socket-mode.ts';
import type { UploadStore } from './upload-store.ts';
import type { ViewStore } from './view-store.ts';
import type { Workspace } from './workspace.ts';

export interface MethodContext {
  workspace: Workspace;
  messages: MessageStore;
  views: ViewStore;
  uploads: UploadStore;
  socket: FakeSocketMode;
  /** `http://127.0.0.1:PORT`, for URLs the fake hands out (upload_url). */
  origin: string;
}

export type MethodHandler = (args: SlackArgs, context: MethodContext) => SlackAnswer;
