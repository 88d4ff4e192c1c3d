import Mustache from 'mustache';
import notices from '../../workflows/templates/opt-out-notices.json' with { type: 'json' };
import type { DeliveryChannel } from './delivery-channel.ts';
import type { EmailContent } from './email-message.ts';

/**
 * Every collection message tells the debtor how to stop it, in their language: Regulation F
 * (12 CFR 1006.6(e)) requires a clear, simple opt-out in each electronic communication, and
 * carriers require the STOP notice on texts. Emails link to the one-click unsubscribe page
 * (shared/domain/portal/unsubscribe-token.ts); texts and WhatsApp messages name the STOP keyword,
 * which the inbound handler honours. A voice message carries no notice: calls are stopped by
 * replying STOP to a text, or by telling an agent.
 */
type Language = keyof typeof notices;

function noticesFor(language: string): (typeof notices)[Language] {
  return language in notices ? notices[language as Language] : notices.en;
}

/** The email with its unsubscribe footer, in both parts (HTML-escaped in the HTML part). */
export function withEmailOptOut(
  content: EmailContent,
  language: string,
  unsubscribeUrl: string,
): EmailContent {
  const footer = noticesFor(language);
  const raw = { escape: (value: unknown) => String(value) };
  return {
    subject: content.subject,
    text: `${content.text.trimEnd()}\n\n${Mustache.render(footer.emailText, { unsubscribeUrl }, undefined, raw)}\n`,
    html: `${content.html}${Mustache.render(footer.emailHtml, { unsubscribeUrl })}`,
  };
}

/** A text or WhatsApp message with the STOP notice; other channels' text unchanged. */
export function withPhoneOptOut(text: string, channel: DeliveryChannel, language: string): string {
  if (channel !== 'sms' && channel !== 'whatsapp') return text;
  return `${text.trimEnd()}\n${noticesFor(language).phoneText}`;
}
