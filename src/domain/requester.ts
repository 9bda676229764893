import { z } from 'zod';

/** Who asked, and where: every answer to a request goes back through this (see services/replies.ts). */
export const requesterSchema = z.object({
  /** Slack channel the request came from. */
  channel: z.string(),
  /** Slack user id of whoever asked. */
  user: z.string(),
  /** The interaction's response_url (30 min, 5 uses): the way to answer privately in that channel. */
  responseUrl: z.string().optional(),
});
export type Requester = z.infer<typeof requesterSchema>;
