/**
 * files.getUploadURLExternal and files.completeUploadExternal: the two Web API steps around the upload
 * POST (served by http-routes.ts at the `upload_url` handed out here). `files.uploadV2` is not a method
 * but the SDK helper chaining the three.
 */
import { fail, missingArgument, ok, stringArg } from './answers.ts';
import type { MethodHandler } from './method-handler.ts';

export const UPLOAD_PATH = '/upload/v1/';

const getUploadUrl: MethodHandler = (args, { uploads, origin }) => {
  const filename = stringArg(args, 'filename');
  if (!filename) return missingArgument('filename');
  const length = Number(stringArg(args, 'length') ?? 'NaN');
  if (!Number.isInteger(length) || length <= 0) return fail('missing_argument');
  const upload = uploads.announce(filename, length);
  return ok({ upload_url: `${origin}${UPLOAD_PATH}${upload.id}`, file_id: upload.id });
};

const completeUpload: MethodHandler = (args, { uploads, workspace }) => {
  const files = args.files;
  if (!Array.isArray(files) || files.length === 0) return missingArgument('files');
  const reference = stringArg(args, 'channel_id');
  const channel = reference === undefined ? undefined : workspace.channel(reference)?.id;
  if (reference !== undefined && !channel) return fail('channel_not_found');
  // "This method can only be called once": a completed, never uploaded or unknown id has no upload ticket.
  const ready = files.flatMap((file) => {
    const { id, title } = (file ?? {}) as { id?: unknown; title?: unknown };
    const upload = typeof id === 'string' ? uploads.get(id) : undefined;
    return upload && !upload.completed && upload.bytes !== undefined ? [{ upload, title }] : [];
  });
  if (ready.length !== files.length) return fail('file_not_found');
  const threadTs = stringArg(args, 'thread_ts');
  const comment = stringArg(args, 'initial_comment');
  const completed = ready.map(({ upload, title }) => {
    Object.assign(upload, {
      title: typeof title === 'string' && title !== '' ? title : upload.filename,
      channel,
      thread_ts: channel ? threadTs : undefined,
      initial_comment: comment,
      completed: true,
    });
    return { id: upload.id, title: upload.title };
  });
  return ok({ files: completed });
};

export const fileMethods: Record<string, MethodHandler> = {
  'files.getUploadURLExternal': getUploadUrl,
  'files.completeUploadExternal': completeUpload,
};
