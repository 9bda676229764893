import type { View } from '@slack/types';
import { escapeMrkdwn } from './mrkdwn.ts';

export const SECRET_MODAL_ID = 'fleet.secret';
export const SECRET_VALUE_BLOCK = 'secret_value';
export const SECRET_VALUE_ACTION = 'value';
export const SECRET_RESTART_BLOCK = 'secret_restart';
export const SECRET_RESTART_ACTION = 'restart';

export interface SecretModalInput {
  secret: string;
  key: string;
  namespace: string;
  restart: boolean;
  /** Carried through the modal and back with the submission; holds no secret. */
  privateMetadata: string;
}

/**
 * Where a secret value is typed in Slack: a modal, seen by the requester only,
 * never a channel message. Submitting it is the confirmation.
 */
export function renderSecretModal(input: SecretModalInput): View {
  return {
    type: 'modal',
    callback_id: SECRET_MODAL_ID,
    private_metadata: input.privateMetadata,
    title: { type: 'plain_text', text: 'Update a secret' },
    submit: { type: 'plain_text', text: 'Update' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*Update key \`${escapeMrkdwn(input.key)}\` of Secret \`${escapeMrkdwn(input.secret)}\` in ${escapeMrkdwn(input.namespace)}?*\nThe value goes to the cluster only: fleetbot never shows, logs or stores it.`,
        },
      },
      {
        type: 'input',
        block_id: SECRET_VALUE_BLOCK,
        label: { type: 'plain_text', text: 'New value' },
        element: { type: 'plain_text_input', action_id: SECRET_VALUE_ACTION },
      },
      {
        type: 'input',
        block_id: SECRET_RESTART_BLOCK,
        optional: true,
        label: { type: 'plain_text', text: 'Then' },
        element: {
          type: 'checkboxes',
          action_id: SECRET_RESTART_ACTION,
          options: [
            { text: { type: 'plain_text', text: 'Restart the services that use it' }, value: 'restart' },
          ],
          ...(input.restart
            ? {
                initial_options: [
                  {
                    text: { type: 'plain_text', text: 'Restart the services that use it' },
                    value: 'restart',
                  },
                ],
              }
            : {}),
        },
      },
    ],
  };
}
