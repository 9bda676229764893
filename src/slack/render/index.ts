/**
 * Block Kit for every message fleetbot posts: pure functions from domain values to
 * `{ text, blocks }`, within Slack's limits (see `limits.ts`). No Slack client here.
 */
export type { KnownBlock, SlackMessage } from './blocks.ts';
export {
  type ButtonTarget,
  confirmStyle,
  type RenderConfirmationClosedInput,
  type RenderConfirmationInput,
  type RenderValueRequestInput,
  renderConfirmation,
  renderConfirmationClosed,
  renderDrillPreview,
  renderValueRequest,
} from './confirmation.ts';
export { renderCommandHelp, renderHelp } from './help.ts';
export { LIMITS, limitViolations } from './limits.ts';
export {
  commandLine,
  type RenderAcceptedInput,
  type RenderDeniedInput,
  type RenderErrorInput,
  renderAccepted,
  renderDenied,
  renderError,
} from './notices.ts';
export { type RenderProgressInput, renderProgress } from './progress.ts';
export { INLINE_OUTPUT_LINES, type RenderResultInput, renderResult, SUGGESTION_ACTION } from './result.ts';
export {
  renderSecretModal,
  SECRET_MODAL_ID,
  SECRET_RESTART_ACTION,
  SECRET_RESTART_BLOCK,
  SECRET_VALUE_ACTION,
  SECRET_VALUE_BLOCK,
  type SecretModalInput,
} from './secret-modal.ts';
