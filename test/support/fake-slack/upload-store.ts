/** Files going through Slack's external upload: announced, uploaded, then completed (once). */
import { slackId } from './ids.ts';

export interface StoredUpload {
  id: string;
  filename: string;
  /** The length announced to files.getUploadURLExternal. */
  length: number;
  /** The uploaded bytes as UTF-8 text; undefined until the upload POST arrives. */
  bytes: string | undefined;
  /** The uploaded bytes as they came (a PNG); undefined until the upload POST arrives. */
  raw: Buffer | undefined;
  /** Set by files.completeUploadExternal: the title given, else the filename. */
  title: string | undefined;
  /** Where it was shared; undefined while private or not completed. */
  channel: string | undefined;
  thread_ts: string | undefined;
  initial_comment: string | undefined;
  completed: boolean;
}

export class UploadStore {
  readonly files: StoredUpload[] = [];

  announce(filename: string, length: number): StoredUpload {
    const upload: StoredUpload = {
      id: slackId('F'),
      filename,
      length,
      bytes: undefined,
      raw: undefined,
      title: undefined,
      channel: undefined,
      thread_ts: undefined,
      initial_comment: undefined,
      completed: false,
    };
    this.files.push(upload);
    return upload;
  }

  get(id: string): StoredUpload | undefined {
    return this.files.find((upload) => upload.id === id);
  }
}
