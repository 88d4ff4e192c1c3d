import type { ContactPreferences } from './contact-policy.ts';
import { allChannels, type Channel } from './strategy.ts';

/**
 * Consent, segment and attributes read from a billing provider's free-form key-value data
 * (Stripe `metadata`, Paddle `custom_data`, Chargebee `meta_data` and `cf_` custom fields).
 * The keys, the same for every provider (docs/billing-ingest.md):
 *
 * - `<channel>_consent_at`, `<channel>_opted_out_at` (channel: `sms`, `whatsapp`, `voice`,
 *   `email`): when the debtor gave or withdrew consent, ISO 8601 with an offset or unix seconds.
 * - `segment`: the segment strategies and routing rules select on.
 * - `attr_<name>`: a string attribute strategy conditions may match (`when.customer.<name>`).
 *
 * That data is typed by people and scripts, not by the provider's schema, so a bad value is
 * never fatal: it is left out and the reason goes back as a warning for the ingest log. Other
 * keys are not ours and are ignored without a word.
 */

export interface CustomerMetadataFields {
  readonly contactPreferences?: ContactPreferences;
  readonly segment?: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface ParsedCustomerMetadata {
  readonly fields: CustomerMetadataFields;
  /** What was left out and why, naming the key (never the value: it may be personal data). */
  readonly warnings: readonly string[];
}

export interface CustomerMetadataOptions {
  /** How the keys are named in logs, e.g. `metadata` or `custom_data`. */
  readonly source: string;
  /** A prefix every key carries in this source (Chargebee custom fields: `cf_`). */
  readonly keyPrefix?: string;
  /**
   * When the event happened (ISO): a consent or opt-out dated more than a day after it is refused,
   * so a typo in the year cannot outrank every later STOP or consent.
   */
  readonly occurredAt?: string;
}

const segmentPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const attributeNamePattern = /^[A-Za-z0-9_]{1,40}$/;
const maxAttributeLength = 200;
const maxAttributes = 50;
/** Profile fields strategy conditions already read by name: an attribute must not shadow them. */
const reservedAttributeNames = new Set(['country', 'locale', 'segment']);
/** Unix seconds of 2000-01-01 and 2100-01-01: anything outside is a mistake (milliseconds, a typo). */
const earliestSeconds = 946_684_800;
const latestSeconds = 4_102_444_800;
const futureToleranceMs = 24 * 3600 * 1000;
const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A timestamp as the product stores them (UTC, `toISOString()`), or why it is not one. */
export function metadataTimestamp(value: unknown): { iso: string } | { problem: string } {
  let ms: number | undefined;
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value.trim()))) {
    const seconds = Number(value);
    if (!Number.isInteger(seconds) || seconds < earliestSeconds || seconds > latestSeconds)
      return { problem: 'unix seconds out of range (milliseconds?)' };
    ms = seconds * 1000;
  } else if (typeof value === 'string' && isoDateTime.test(value.trim())) {
    ms = Date.parse(value.trim());
    if (Number.isNaN(ms) || ms < earliestSeconds * 1000 || ms > latestSeconds * 1000)
      return { problem: 'not a valid date' };
  } else {
    return { problem: 'not a timestamp (ISO 8601 with an offset, or unix seconds)' };
  }
  return { iso: new Date(ms).toISOString() };
}

function attributeValue(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed.length > 0 && trimmed.length <= maxAttributeLength ? trimmed : undefined;
  }
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

const consentKeys = new Map<string, { channel: Channel; field: 'consentAt' | 'optedOutAt' }>(
  allChannels.flatMap((channel) => [
    [`${channel}_consent_at`, { channel, field: 'consentAt' as const }],
    [`${channel}_opted_out_at`, { channel, field: 'optedOutAt' as const }],
  ]),
);

/** Reads our keys out of a provider's key-value data; see the module comment for the keys. */
export function customerFieldsFromMetadata(
  metadata: unknown,
  options: CustomerMetadataOptions,
): ParsedCustomerMetadata {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    return { fields: {}, warnings: [] };
  const prefix = options.keyPrefix ?? '';
  const latestMs =
    options.occurredAt === undefined ? undefined : Date.parse(options.occurredAt) + futureToleranceMs;
  const warnings: string[] = [];
  const preferences: Partial<Record<Channel, { consentAt?: string; optedOutAt?: string }>> = {};
  const attributes: Record<string, string> = {};
  let segment: string | undefined;
  for (const [rawKey, value] of Object.entries(metadata)) {
    if (!rawKey.startsWith(prefix) || value === null || value === undefined || value === '') continue;
    const key = rawKey.slice(prefix.length);
    const where = `${options.source}.${rawKey}`;
    const consent = consentKeys.get(key);
    if (consent) {
      const parsed = metadataTimestamp(value);
      if ('problem' in parsed) warnings.push(`${where}: ${parsed.problem}`);
      else if (latestMs !== undefined && Date.parse(parsed.iso) > latestMs)
        warnings.push(`${where}: more than a day after the event`);
      else preferences[consent.channel] = { ...preferences[consent.channel], [consent.field]: parsed.iso };
    } else if (key === 'segment') {
      const text = typeof value === 'string' ? value.trim() : undefined;
      if (text !== undefined && segmentPattern.test(text)) segment = text;
      else warnings.push(`${where}: a segment is 1-64 letters, digits, '_', '.', ':' or '-'`);
    } else if (key.startsWith('attr_')) {
      const name = key.slice('attr_'.length);
      const text = attributeValue(value);
      if (!attributeNamePattern.test(name))
        warnings.push(`${where}: an attribute name is 1-40 letters, digits or '_'`);
      else if (reservedAttributeNames.has(name))
        warnings.push(`${where}: '${name}' is a profile field, not an attribute`);
      else if (text === undefined)
        warnings.push(
          `${where}: an attribute is a string, number or boolean of 1-${maxAttributeLength} characters`,
        );
      else if (Object.keys(attributes).length >= maxAttributes)
        warnings.push(`${where}: more than ${maxAttributes} attributes`);
      else attributes[name] = text;
    }
  }
  return { fields: metadataFields(preferences, segment, attributes), warnings };
}

/** The fields that hold something: an empty preference or attribute set is left out. */
function metadataFields(
  preferences: ContactPreferences,
  segment: string | undefined,
  attributes: Readonly<Record<string, string>>,
): CustomerMetadataFields {
  return {
    ...(Object.keys(preferences).length > 0 ? { contactPreferences: preferences } : {}),
    ...(segment === undefined ? {} : { segment }),
    ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
  };
}

/**
 * The union of several sources of the same event (a Chargebee customer's `meta_data` and its
 * `cf_` fields): the later source wins a key both carry.
 */
export function combineCustomerMetadata(...parts: readonly ParsedCustomerMetadata[]): ParsedCustomerMetadata {
  const preferences: Partial<Record<Channel, { consentAt?: string; optedOutAt?: string }>> = {};
  const attributes: Record<string, string> = {};
  let segment: string | undefined;
  for (const { fields } of parts) {
    for (const channel of allChannels) {
      const entry = fields.contactPreferences?.[channel];
      if (entry) preferences[channel] = { ...preferences[channel], ...entry };
    }
    Object.assign(attributes, fields.attributes);
    segment = fields.segment ?? segment;
  }
  return {
    fields: metadataFields(preferences, segment, attributes),
    warnings: parts.flatMap((part) => part.warnings),
  };
}

/** The `dataWarnings` field of a billing event, present only when something was left out. */
export function dataWarningsOf(parsed: ParsedCustomerMetadata): { dataWarnings?: readonly string[] } {
  return parsed.warnings.length > 0 ? { dataWarnings: parsed.warnings } : {};
}
