import { FleetbotError, type FleetbotErrorCode, type FleetbotErrorOptions } from '../domain/errors.ts';

export type AppInsightsErrorCode = Extract<
  FleetbotErrorCode,
  'config' | 'forbidden' | 'not_found' | 'invalid' | 'server_error' | 'unreachable'
>;

/**
 * An Azure Monitor failure translated into what to do about it: 401 and a
 * missing identity (`config`) point at the credential, 403 names the role and
 * the resource, 400 gives the service's reason.
 */
export class AppInsightsError extends FleetbotError {
  declare readonly code: AppInsightsErrorCode;
  override name = 'AppInsightsError';

  constructor(code: AppInsightsErrorCode, message: string, options?: FleetbotErrorOptions) {
    super(code, message, options);
  }
}
