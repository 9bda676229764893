/**
 * Reads a request body and turns it into Web API arguments as Slack does: form fields (what WebClient
 * sends), a JSON object, or multipart form data (WebClient switches to it when an argument is binary).
 * Query parameters count too; the body wins over them.
 */
import type { IncomingMessage } from 'node:http';
import type { SlackArgs } from './call-log.ts';

/** Arguments Slack takes as JSON text inside form bodies; decoded so tests assert on objects. */
const JSON_ARGUMENTS = ['blocks', 'attachments', 'files', 'view', 'metadata'];

export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The parts of a multipart body, files as their bytes; undefined when the body does not parse. */
export async function multipartParts(
  body: Buffer,
  contentType: string,
): Promise<Map<string, string | Buffer> | undefined> {
  try {
    const form = await new Response(new Uint8Array(body), {
      headers: { 'content-type': contentType },
    }).formData();
    const parts = new Map<string, string | Buffer>();
    for (const [name, value] of form) {
      parts.set(name, typeof value === 'string' ? value : Buffer.from(await value.arrayBuffer()));
    }
    return parts;
  } catch {
    return undefined;
  }
}

/** The arguments, or undefined when the body is not valid for its content type (`invalid_form_data`). */
export async function parseArgs(
  body: Buffer,
  contentType: string | undefined,
  query: URLSearchParams,
): Promise<SlackArgs | undefined> {
  const args: SlackArgs = Object.fromEntries(query);
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (body.length > 0) {
    if (type === 'application/json') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        return undefined;
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
      Object.assign(args, parsed);
    } else if (type === 'multipart/form-data') {
      const parts = await multipartParts(body, contentType ?? '');
      if (!parts) return undefined;
      for (const [name, value] of parts)
        args[name] = typeof value === 'string' ? value : value.toString('utf8');
    } else {
      Object.assign(args, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
    }
  }
  for (const name of JSON_ARGUMENTS) {
    const text = args[name];
    if (typeof text !== 'string') continue;
    try {
      args[name] = JSON.parse(text);
    } catch {
      // Left as text: the method answers `invalid_blocks_format` / `invalid_arguments`, as Slack does.
    }
  }
  return args;
}
