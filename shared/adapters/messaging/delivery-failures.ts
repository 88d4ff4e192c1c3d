import {
  DeliveryThrottledError,
  PermanentDeliveryError,
  type PermanentFailureReason,
  ProviderUnavailableError,
} from '../../domain/errors.ts';

/** What the AWS SDK puts on a deserialised service exception (and nothing else we rely on). */
interface ServiceErrorShape {
  readonly name?: string;
  readonly message?: string;
  readonly $fault?: 'client' | 'server';
  readonly $metadata?: { readonly httpStatusCode?: number };
  /** pinpoint-sms-voice-v2: ConflictException / ValidationException / ServiceQuotaExceededException reason. */
  readonly Reason?: string;
  /** pinpoint-sms-voice-v2 ValidationException: the offending fields. */
  readonly Fields?: readonly { readonly Name?: string }[];
}

function shapeOf(error: unknown): ServiceErrorShape {
  return typeof error === 'object' && error !== null ? (error as ServiceErrorShape) : {};
}

const throttlingNames = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'ThrottledRequestException',
  'LimitExceededException',
]);

/** End User Messaging SMS and voice: why a destination will never receive, by exception reason. */
const smsVoicePermanentReasons: Record<string, PermanentFailureReason> = {
  DESTINATION_PHONE_NUMBER_OPTED_OUT: 'opted-out',
  DESTINATION_PHONE_NUMBER_NOT_VERIFIED: 'unsupported-destination',
  DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION: 'blocked',
  DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE: 'blocked',
  DESTINATION_COUNTRY_BLOCKED: 'unsupported-destination',
  COUNTRY_NOT_ENABLED: 'unsupported-destination',
  INTERNATIONAL_SENDING_NOT_SUPPORTED: 'unsupported-destination',
  INVALID_IDENTITY_FOR_DESTINATION_COUNTRY: 'unsupported-destination',
  VOICE_CAPABILITY_NOT_AVAILABLE: 'unsupported-destination',
};

/** Sending quotas that refill (monthly spend, daily calls per destination): nothing sent, retry later. */
const smsVoiceQuotaReasons = new Set([
  'MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT',
  'MONTHLY_SPEND_LIMIT_REACHED_FOR_VOICE',
  'DAILY_DESTINATION_CALL_LIMIT',
]);

/**
 * The common part: throttling is a safe retry, a 5xx is a retry whose outcome is unknown. Returns
 * undefined when the error is none of those.
 */
function classifyTransient(error: unknown, provider: string): Error | undefined {
  const shape = shapeOf(error);
  const options = { cause: error };
  if (shape.name && throttlingNames.has(shape.name))
    return new DeliveryThrottledError(`${provider} throttled the request (${shape.name})`, options);
  const status = shape.$metadata?.httpStatusCode;
  if (shape.$fault === 'server' || (status !== undefined && status >= 500))
    return new ProviderUnavailableError(
      `${provider} answered with a server error (${shape.name ?? status})`,
      options,
    );
  return undefined;
}

/** Maps an End User Messaging SMS/voice error to the product's delivery errors (others pass through). */
export function classifySmsVoiceError(error: unknown): unknown {
  const shape = shapeOf(error);
  const options = { cause: error };
  const reason = shape.Reason ?? '';
  const permanent = smsVoicePermanentReasons[reason];
  if (permanent)
    return new PermanentDeliveryError(
      permanent,
      `End User Messaging refused the destination (${reason})`,
      options,
    );
  if (shape.name === 'ServiceQuotaExceededException' && smsVoiceQuotaReasons.has(reason))
    return new DeliveryThrottledError(`End User Messaging quota reached (${reason})`, options);
  if (
    shape.name === 'ValidationException' &&
    (shape.Fields ?? []).some((field) => field.Name === 'DestinationPhoneNumber')
  )
    return new PermanentDeliveryError(
      'invalid-address',
      'End User Messaging rejected the destination number',
      options,
    );
  return classifyTransient(error, 'End User Messaging') ?? error;
}

/** Maps an SES v2 SendEmail error. Suppressed addresses are not refused synchronously: SES reports them as bounces. */
export function classifySesError(error: unknown): unknown {
  const shape = shapeOf(error);
  if (shape.name === 'BadRequestException' && /address|recipient|destination/i.test(shape.message ?? ''))
    return new PermanentDeliveryError('invalid-address', 'SES rejected the recipient address', {
      cause: error,
    });
  return classifyTransient(error, 'SES') ?? error;
}

/** Meta error codes that mean this number will not receive this message (Cloud API error codes). */
const metaPermanentCodes: Record<string, PermanentFailureReason> = {
  '131026': 'invalid-address',
  '131047': 'outside-session-window',
  '131050': 'opted-out',
  '131049': 'blocked',
  '131030': 'unsupported-destination',
  // Template errors: the template (in that language) does not exist, is paused or disabled, or the
  // parameters sent do not fit its approved text. The address is fine; the message is not.
  '132000': 'template-not-approved',
  '132001': 'template-not-approved',
  '132005': 'template-not-approved',
  '132007': 'template-not-approved',
  '132012': 'template-not-approved',
  '132015': 'template-not-approved',
  '132016': 'template-not-approved',
};

/** The Meta error code quoted in an End User Messaging Social error message, if any. */
export function metaErrorCode(message: string | undefined): string | undefined {
  return /\b(13\d{4})\b/.exec(message ?? '')?.[1];
}

export function metaPermanentReason(code: string | undefined): PermanentFailureReason | undefined {
  return code === undefined ? undefined : metaPermanentCodes[code];
}

/** Maps an End User Messaging Social (WhatsApp) error. */
export function classifyWhatsAppError(error: unknown): unknown {
  const shape = shapeOf(error);
  const reason = metaPermanentReason(metaErrorCode(shape.message));
  if (
    reason &&
    (shape.name === 'DependencyException' ||
      shape.name === 'ValidationException' ||
      shape.name === 'InvalidParametersException')
  )
    return new PermanentDeliveryError(reason, `WhatsApp refused the message (${reason})`, { cause: error });
  if (shape.name === 'DependencyException')
    return new ProviderUnavailableError('WhatsApp (Meta) failed to process the request', { cause: error });
  return classifyTransient(error, 'End User Messaging Social') ?? error;
}
