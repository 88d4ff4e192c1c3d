import Mustache from 'mustache';
import type { PhoneChannel } from './delivery-channel.ts';

/** The automatic answers to keyword commands, which carriers require (DOMAIN.md §3). */
export type KeywordReply = 'opted-out' | 'opted-in' | 'help';

export interface KeywordReplySettings {
  /** How debtors reach support, e.g. "support@acme.example or +1 415 555 0100". */
  readonly supportContact: string;
  /** Who is writing, e.g. "Acme Billing". */
  readonly senderName: string;
}

type Language = 'en' | 'es' | 'de' | 'fr';

const texts: Record<Language, Record<KeywordReply, string>> = {
  en: {
    'opted-out':
      'You will no longer receive {{channelName}} from {{senderName}}. Reply START to opt back in. Help: {{supportContact}}',
    'opted-in': 'You will receive {{channelName}} from {{senderName}} again. Reply STOP to opt out.',
    help: '{{senderName}} billing support: {{supportContact}}. Reply STOP to opt out.',
  },
  es: {
    'opted-out':
      'Ya no recibirá {{channelName}} de {{senderName}}. Responda START para volver a recibirlos. Ayuda: {{supportContact}}',
    'opted-in': 'Volverá a recibir {{channelName}} de {{senderName}}. Responda STOP para darse de baja.',
    help: 'Soporte de facturación de {{senderName}}: {{supportContact}}. Responda STOP para darse de baja.',
  },
  de: {
    'opted-out':
      'Sie erhalten keine {{channelName}} mehr von {{senderName}}. Antworten Sie START, um sie wieder zu erhalten. Hilfe: {{supportContact}}',
    'opted-in': 'Sie erhalten wieder {{channelName}} von {{senderName}}. Antworten Sie STOP zum Abmelden.',
    help: 'Abrechnungssupport von {{senderName}}: {{supportContact}}. Antworten Sie STOP zum Abmelden.',
  },
  fr: {
    'opted-out':
      'Vous ne recevrez plus de {{channelName}} de {{senderName}}. Répondez START pour les recevoir à nouveau. Aide : {{supportContact}}',
    'opted-in':
      'Vous recevrez à nouveau des {{channelName}} de {{senderName}}. Répondez STOP pour vous désinscrire.',
    help: 'Support facturation {{senderName}} : {{supportContact}}. Répondez STOP pour vous désinscrire.',
  },
};

const channelNames: Record<Language, Record<PhoneChannel, string>> = {
  en: { sms: 'text messages', whatsapp: 'WhatsApp messages', voice: 'calls' },
  es: { sms: 'mensajes de texto', whatsapp: 'mensajes de WhatsApp', voice: 'llamadas' },
  de: { sms: 'SMS', whatsapp: 'WhatsApp-Nachrichten', voice: 'Anrufe' },
  fr: { sms: 'SMS', whatsapp: 'messages WhatsApp', voice: 'appels' },
};

function languageOf(locale: string | undefined): Language {
  const language = (locale ?? 'en').slice(0, 2).toLowerCase();
  return language === 'es' || language === 'de' || language === 'fr' ? language : 'en';
}

/**
 * The text of an automatic keyword answer in the debtor's language (English when unknown). Plain
 * text, no HTML escaping; kept short enough for one or two SMS segments.
 */
export function keywordReplyText(
  reply: KeywordReply,
  channel: PhoneChannel,
  locale: string | undefined,
  settings: KeywordReplySettings,
): string {
  const language = languageOf(locale);
  return Mustache.render(
    texts[language][reply],
    { ...settings, channelName: channelNames[language][channel] },
    undefined,
    { escape: (value: unknown) => String(value) },
  );
}
