import { z } from 'zod';
import catalog from '../../workflows/templates/whatsapp.json' with { type: 'json' };
import type { Claim } from './claim.ts';
import type { Customer } from './customer.ts';
import { type MessageExtras, messageView } from './email-message.ts';
import { type TemplateId, templateIdSchema } from './strategy.ts';

/**
 * Journey steps on WhatsApp. Inside the 24-hour session window (the debtor wrote in the last 24
 * hours) a step goes as free text, the same words as its SMS. Outside it, WhatsApp delivers only
 * templates Meta approved beforehand: `workflows/templates/whatsapp.json` names one per journey
 * template, with its body in every language the emails have, and this module fills its
 * parameters from the same values the email shows. Registering them in WhatsApp Manager is a
 * one-off step of the deployment (docs/channels.md).
 */
const parameterSchema = z.enum(['total', 'link', 'planInstallments', 'planIntervalDays']);
type Parameter = z.infer<typeof parameterSchema>;

const catalogSchema = z
  .object({
    $comment: z.string().optional(),
    languageCodes: z.record(z.string(), z.string().min(2)),
    templates: z.record(
      templateIdSchema,
      z
        .object({
          // Meta template names: lower-case letters, digits and underscores.
          name: z.string().regex(/^[a-z0-9_]{1,512}$/),
          parameters: z.array(parameterSchema).min(1),
          body: z.record(z.string(), z.string().min(1)),
        })
        .strict(),
    ),
  })
  .strict();

/** One approved template: its name, its Meta language code, and the values of `{{1}}`, `{{2}}`... */
export interface WhatsAppJourneyTemplate {
  readonly name: string;
  readonly languageCode: string;
  readonly bodyParameters: readonly string[];
}

export const whatsAppTemplateCatalog = catalogSchema.parse(catalog);

/**
 * The approved template for a journey message in the debtor's language, or undefined when the
 * message cannot be sent as one: no template is registered for it, or a value it needs is missing
 * (no link to send: no portal and no invoice pay link). Meta refuses empty parameters, so a
 * template is never sent with a blank.
 */
export function whatsAppTemplateFor(
  template: TemplateId,
  customer: Customer | undefined,
  claims: readonly Claim[],
  extras: MessageExtras = {},
): WhatsAppJourneyTemplate | undefined {
  const entry = whatsAppTemplateCatalog.templates[template];
  if (entry === undefined) return undefined;
  const { language, view } = messageView(customer, claims, extras);
  const languageCode =
    entry.body[language] === undefined
      ? whatsAppTemplateCatalog.languageCodes.en
      : whatsAppTemplateCatalog.languageCodes[language];
  if (languageCode === undefined) return undefined;
  const values: Record<Parameter, string> = {
    total: view.total,
    link: view.portalUrl || view.claims.find((claim) => claim.payUrl !== '')?.payUrl || '',
    planInstallments: String(view.planInstallments),
    planIntervalDays: String(view.planIntervalDays),
  };
  const bodyParameters = entry.parameters.map((parameter) => values[parameter].trim());
  if (bodyParameters.some((value) => value === '')) return undefined;
  return { name: entry.name, languageCode, bodyParameters };
}

/** The journey template an approved WhatsApp template stands for, by its registered name. */
export function journeyTemplateOfWhatsApp(name: string): TemplateId | undefined {
  const found = Object.entries(whatsAppTemplateCatalog.templates).find(([, entry]) => entry?.name === name);
  return found === undefined ? undefined : templateIdSchema.parse(found[0]);
}

/**
 * What the debtor reads: the registered body of a template in its language, with the parameters
 * in place (the local outbox shows it; WhatsApp renders the same from the approved template).
 */
export function whatsAppTemplateBody(template: WhatsAppJourneyTemplate): string | undefined {
  const journeyTemplate = journeyTemplateOfWhatsApp(template.name);
  if (journeyTemplate === undefined) return undefined;
  const entry = whatsAppTemplateCatalog.templates[journeyTemplate];
  const language = Object.entries(whatsAppTemplateCatalog.languageCodes).find(
    ([, code]) => code === template.languageCode,
  )?.[0];
  const body = language === undefined ? undefined : entry?.body[language];
  return body?.replace(
    /\{\{(\d+)\}\}/g,
    (_match, index: string) => template.bodyParameters[Number(index) - 1] ?? '',
  );
}
