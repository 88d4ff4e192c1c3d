import { DateTime, IANAZone } from 'luxon';

/**
 * A deterministic classifier for debtors' replies in English, Spanish, German and French: keyword
 * commands first (carrier opt-out keywords, HELP, START/UNSTOP), then phrase rules for the intents
 * a collections team acts on. Rules, not a model: every outcome can be explained and tested, and
 * anything unclear goes to an agent rather than being guessed.
 */
export type ReplyIntent =
  | {
      readonly kind: 'opt-out';
      /** The channels the debtor asked to stop: the reply's own channel, or voice for "stop calling". */
      readonly scope: 'this-channel' | 'calls';
    }
  | { readonly kind: 'opt-in' }
  | { readonly kind: 'help' }
  | { readonly kind: 'already-paid' }
  | {
      readonly kind: 'promise-to-pay';
      /** The promised calendar day in the debtor's zone (`yyyy-MM-dd`); absent when none was named. */
      readonly date?: string;
    }
  | { readonly kind: 'dispute' }
  | { readonly kind: 'hardship' }
  | { readonly kind: 'wrong-person' }
  | { readonly kind: 'call-me' }
  | { readonly kind: 'unknown' };

export interface ReplyContext {
  /** When the reply was received. Relative dates ("Friday", "the 15th") count from here. */
  readonly receivedAt: Date;
  /** The debtor's IANA zone: "tomorrow" is tomorrow where they are. */
  readonly timeZone: string;
  /** BCP 47 locale; only used to read numeric dates (en-US writes month/day, the others day/month). */
  readonly locale?: string;
}

/** Carrier-required opt-out keywords (DOMAIN.md §3) and their usual Spanish, German and French forms. */
const optOutKeywords = new Set([
  'arret',
  'cancel',
  'end',
  'optout',
  'quit',
  'remove',
  'stop',
  'td',
  'unsubscribe',
  'stopall',
  'baja',
  'alto',
  'parar',
  'cancelar',
  'stopp',
  'abmelden',
  'desabonner',
  'desinscrire',
]);
const optInKeywords = new Set(['start', 'unstop']);
const helpKeywords = new Set(['help', 'info', 'ayuda', 'hilfe', 'aide']);
/** Words that may follow a keyword without changing it ("STOP please", "stop now", "HELP!"). */
const keywordCompanions = new Set([
  'please',
  'now',
  'all',
  'por',
  'favor',
  'bitte',
  'svp',
  'merci',
  'thanks',
]);

/** "Any reasonable wording" revokes consent (TCPA): phrases that mean stop contacting me. */
const optOutPhrases = [
  'stop texting',
  'stop messaging',
  'stop sending',
  'stop contacting',
  'stop emailing',
  'dont text',
  'do not text',
  'dont message',
  'do not message',
  'dont contact',
  'do not contact',
  'no more messages',
  'no more texts',
  'remove me',
  'unsubscribe me',
  'take me off',
  'dejen de escribir',
  'dejen de escribirme',
  'deja de escribir',
  'deja de escribirme',
  'dejen de enviar',
  'dejen de enviarme',
  'no me escriban',
  'no me envien',
  'no me contacten',
  'no quiero recibir',
  'darse de baja',
  'dar de baja',
  'keine nachrichten mehr',
  'schreiben sie mir nicht',
  'nicht mehr schreiben',
  'nicht mehr kontaktieren',
  'hort auf',
  'ne mecrivez plus',
  'ne menvoyez plus',
  'ne me contactez plus',
  'arretez de mecrire',
  'arretez de menvoyer',
  'plus de messages',
];
const stopCallingPhrases = [
  'stop calling',
  'dont call',
  'do not call',
  'no more calls',
  'dejen de llamar',
  'deja de llamar',
  'no me llamen',
  'no me llames',
  'nicht mehr anrufen',
  'rufen sie mich nicht',
  'keine anrufe',
  'ne mappelez plus',
  'arretez de mappeler',
  'plus dappels',
];

/** A refusal ("I won't pay") is a dispute for an agent, never a promise. */
const refusalPhrases = [
  'wont pay',
  'will not pay',
  'not going to pay',
  'refuse to pay',
  'no voy a pagar',
  'no pagare',
  'me niego a pagar',
  'werde nicht zahlen',
  'werde nicht bezahlen',
  'zahle nicht',
  'ne paierai pas',
  'ne payerai pas',
  'ne vais pas payer',
  'refuse de payer',
];

const intentPhrases: Record<
  'wrong-person' | 'dispute' | 'already-paid' | 'hardship' | 'call-me' | 'promise',
  string[]
> = {
  'wrong-person': [
    'wrong number',
    'wrong person',
    'not me',
    'dont know this person',
    'dont know who',
    'who is this',
    'no one by that name',
    'doesnt live here',
    'numero equivocado',
    'persona equivocada',
    'se equivoco de numero',
    'se equivocaron de numero',
    'no soy yo',
    'no soy esa persona',
    'no conozco a',
    'falsche nummer',
    'falsche person',
    'kenne ich nicht',
    'kenne diese person nicht',
    'bin nicht die person',
    'mauvais numero',
    'faux numero',
    'erreur de numero',
    'mauvaise personne',
    'ce nest pas moi',
    'je ne connais pas cette personne',
  ],
  dispute: [
    'dispute',
    'not my debt',
    'dont owe',
    'do not owe',
    'never ordered',
    'never signed up',
    'not authorized',
    'unauthorized',
    'fraud',
    'charged twice',
    'double charged',
    'wrong amount',
    'incorrect amount',
    'already cancelled',
    'already canceled',
    'i cancelled',
    'i canceled',
    'no debo',
    'no es mi deuda',
    'nunca contrate',
    'cobro indebido',
    'fraude',
    'cobrado dos veces',
    'monto incorrecto',
    'ya cancele',
    'reclamacion',
    'widerspruch',
    'schulde nichts',
    'schulde ihnen nichts',
    'nie bestellt',
    'betrug',
    'doppelt abgebucht',
    'falscher betrag',
    'bereits gekundigt',
    'habe gekundigt',
    'reklamation',
    'je conteste',
    'contestation',
    'litige',
    'je ne dois rien',
    'pas ma dette',
    'jamais commande',
    'preleve deux fois',
    'montant incorrect',
    'deja resilie',
    'jai resilie',
  ],
  'already-paid': [
    'already paid',
    'i paid',
    'i have paid',
    'ive paid',
    'paid already',
    'paid it',
    'its paid',
    'it is paid',
    'payment was made',
    'payment has been made',
    'i made the payment',
    'ya pague',
    'ya lo pague',
    'ya he pagado',
    'ya esta pagado',
    'ya hice el pago',
    'ya realice el pago',
    'ya esta pago',
    'schon bezahlt',
    'bereits bezahlt',
    'habe bezahlt',
    'habe es bezahlt',
    'ist bezahlt',
    'schon uberwiesen',
    'bereits uberwiesen',
    'habe uberwiesen',
    'deja paye',
    'jai paye',
    'jai deja paye',
    'cest paye',
    'deja regle',
    'jai regle',
    'paiement effectue',
  ],
  hardship: [
    'lost my job',
    'cant afford',
    'cannot afford',
    'cant pay',
    'cannot pay',
    'unable to pay',
    'unemployed',
    'no money',
    'hardship',
    'payment plan',
    'installments',
    'instalments',
    'in the hospital',
    'no puedo pagar',
    'perdi mi trabajo',
    'perdi el trabajo',
    'sin trabajo',
    'desempleado',
    'desempleada',
    'no tengo dinero',
    'plan de pagos',
    'a plazos',
    'en cuotas',
    'kann nicht zahlen',
    'kann nicht bezahlen',
    'kann es nicht bezahlen',
    'arbeitslos',
    'kein geld',
    'ratenzahlung',
    'job verloren',
    'arbeit verloren',
    'je ne peux pas payer',
    'je ne peux pas regler',
    'au chomage',
    'pas dargent',
    'plus dargent',
    'perdu mon emploi',
    'perdu mon travail',
    'en plusieurs fois',
    'echeancier',
  ],
  'call-me': [
    'call me',
    'give me a call',
    'phone me',
    'ring me',
    'speak to someone',
    'talk to someone',
    'speak to a person',
    'talk to a person',
    'speak with someone',
    'talk to a human',
    'llamame',
    'llameme',
    'me pueden llamar',
    'me puede llamar',
    'quiero hablar',
    'hablar con alguien',
    'hablar con una persona',
    'rufen sie mich an',
    'ruf mich an',
    'bitte um ruckruf',
    'ruckruf',
    'mochte sprechen',
    'appelez moi',
    'rappelez moi',
    'appelle moi',
    'rappelle moi',
    'parler a quelquun',
    'parler a un conseiller',
  ],
  promise: [
    'ill pay',
    'i will pay',
    'will pay',
    'i can pay',
    'i could pay',
    'ill make the payment',
    'ill make a payment',
    'i will make the payment',
    'paying on',
    'ill settle',
    'pagare',
    'voy a pagar',
    'puedo pagar',
    'podre pagar',
    'hare el pago',
    'te pago',
    'les pago',
    'pago el',
    'ich zahle',
    'zahle ich',
    'werde zahlen',
    'werde bezahlen',
    'werde ich zahlen',
    'werde ich bezahlen',
    'bezahle ich',
    'ich bezahle',
    'ich uberweise',
    'uberweise ich',
    'kann ich zahlen',
    'kann ich bezahlen',
    'je paierai',
    'je payerai',
    'je vais payer',
    'je peux payer',
    'je pourrai payer',
    'je paie',
    'je paye',
    'je reglerai',
    'je vais regler',
  ],
};

/**
 * Lower case, accents removed, apostrophes dropped ("I'll" → "ill", "j'ai" → "jai"), everything
 * else that is not a letter, digit, `.` or `/` turned into single spaces, padded with spaces so that
 * phrases match on word boundaries.
 */
export function normalizeReply(text: string): string {
  const folded = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/['’`´]/g, '')
    // Dots and slashes survive only after a digit ("15.03.", "3/15", "am 15."): dates need them.
    .replace(/(?<!\d)[./]/g, ' ')
    .replace(/[^a-z0-9./]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return ` ${folded} `;
}

function containsAny(normalized: string, phrases: readonly string[]): boolean {
  return phrases.some((phrase) => normalized.includes(` ${phrase} `));
}

function keywordCommand(normalized: string): ReplyIntent | undefined {
  const words = normalized
    .replace(' opt out ', ' optout ')
    .trim()
    .split(' ')
    .map((word) => word.replace(/[./]+$/g, ''))
    .filter((word) => word.length > 0);
  const [first, ...rest] = words;
  if (first === undefined || rest.some((word) => !keywordCompanions.has(word))) return undefined;
  if (optOutKeywords.has(first)) return { kind: 'opt-out', scope: 'this-channel' };
  if (optInKeywords.has(first)) return { kind: 'opt-in' };
  if (helpKeywords.has(first)) return { kind: 'help' };
  return undefined;
}

/** Classifies one reply. Opt-outs win over everything else: a debtor who says stop is never contacted again. */
export function classifyReply(text: string, context: ReplyContext): ReplyIntent {
  const normalized = normalizeReply(text);
  const command = keywordCommand(normalized);
  if (command) return command;
  if (containsAny(normalized, stopCallingPhrases)) return { kind: 'opt-out', scope: 'calls' };
  if (containsAny(normalized, optOutPhrases)) return { kind: 'opt-out', scope: 'this-channel' };
  if (containsAny(normalized, intentPhrases['wrong-person'])) return { kind: 'wrong-person' };
  if (containsAny(normalized, refusalPhrases) || containsAny(normalized, intentPhrases.dispute))
    return { kind: 'dispute' };
  if (containsAny(normalized, intentPhrases['already-paid'])) return { kind: 'already-paid' };
  const promised = containsAny(normalized, intentPhrases.promise);
  const date = promised ? resolvePromiseDate(normalized, context) : undefined;
  if (promised && date !== undefined) return { kind: 'promise-to-pay', date };
  if (containsAny(normalized, intentPhrases.hardship)) return { kind: 'hardship' };
  if (containsAny(normalized, intentPhrases['call-me'])) return { kind: 'call-me' };
  if (promised) return { kind: 'promise-to-pay' };
  return { kind: 'unknown' };
}

const weekdays: Record<string, number> = {
  monday: 1,
  tuesday: 2,
  wednesday: 3,
  thursday: 4,
  friday: 5,
  saturday: 6,
  sunday: 7,
  lunes: 1,
  martes: 2,
  miercoles: 3,
  jueves: 4,
  viernes: 5,
  sabado: 6,
  domingo: 7,
  montag: 1,
  dienstag: 2,
  mittwoch: 3,
  donnerstag: 4,
  freitag: 5,
  samstag: 6,
  sonnabend: 6,
  sonntag: 7,
  lundi: 1,
  mardi: 2,
  mercredi: 3,
  jeudi: 4,
  vendredi: 5,
  samedi: 6,
  dimanche: 7,
};

const months: Record<string, number> = {
  january: 1,
  february: 2,
  march: 3,
  april: 4,
  may: 5,
  june: 6,
  july: 7,
  august: 8,
  september: 9,
  october: 10,
  november: 11,
  december: 12,
  enero: 1,
  febrero: 2,
  marzo: 3,
  abril: 4,
  mayo: 5,
  junio: 6,
  julio: 7,
  agosto: 8,
  septiembre: 9,
  setiembre: 9,
  octubre: 10,
  noviembre: 11,
  diciembre: 12,
  januar: 1,
  februar: 2,
  marz: 3,
  mai: 5,
  juni: 6,
  juli: 7,
  oktober: 10,
  dezember: 12,
  janvier: 1,
  fevrier: 2,
  mars: 3,
  avril: 4,
  juin: 6,
  juillet: 7,
  aout: 8,
  septembre: 9,
  octobre: 10,
  novembre: 11,
  decembre: 12,
};

/** A promise further out than this is not a promise the case can wait for: an agent decides. */
const maxPromiseDays = 92;

const dayAfterTomorrow = ['day after tomorrow', 'pasado manana', 'ubermorgen', 'apres demain'];
const tomorrow = ['tomorrow', 'manana', 'morgen', 'demain'];
const today = ['today', 'tonight', 'hoy', 'esta noche', 'heute', 'aujourdhui', 'ce soir'];
const endOfMonth = [
  'end of the month',
  'end of month',
  'fin de mes',
  'final de mes',
  'ende des monats',
  'monatsende',
  'fin du mois',
];
const nextMarkers = new Set(['next', 'proximo', 'nachsten', 'nachster', 'kommenden', 'prochain']);

/**
 * The concrete calendar day a promise names, in the debtor's zone, or undefined when it names
 * none (or one in the past, or too far out). The earliest rule that matches decides; "the 15th"
 * means the next 15th on or after today, "Friday" the next Friday on or after today ("next
 * Friday": after today).
 */
export function resolvePromiseDate(normalized: string, context: ReplyContext): string | undefined {
  const zone = IANAZone.isValidZone(context.timeZone) ? context.timeZone : 'UTC';
  const now = DateTime.fromJSDate(context.receivedAt, { zone }).startOf('day');
  const candidate =
    relativeDay(normalized, now) ??
    dayMonthName(normalized, now) ??
    numericDate(normalized, now, context.locale) ??
    inDays(normalized, now) ??
    weekday(normalized, now) ??
    dayOfMonth(normalized, now);
  if (candidate === undefined || !candidate.isValid) return undefined;
  const ahead = candidate.diff(now, 'days').days;
  if (ahead < 0 || ahead > maxPromiseDays) return undefined;
  return candidate.toISODate() ?? undefined;
}

function relativeDay(normalized: string, now: DateTime): DateTime | undefined {
  if (containsAny(normalized, dayAfterTomorrow)) return now.plus({ days: 2 });
  // "mañana por la mañana" is still tomorrow; "morgen" inside "übermorgen" was caught above.
  if (containsAny(normalized, tomorrow)) return now.plus({ days: 1 });
  if (containsAny(normalized, today)) return now;
  if (containsAny(normalized, endOfMonth)) return now.endOf('month').startOf('day');
  return undefined;
}

function weekday(normalized: string, now: DateTime): DateTime | undefined {
  const words = normalized.trim().split(' ');
  for (const [index, word] of words.entries()) {
    const target = weekdays[word.replace(/s$/, '')] ?? weekdays[word];
    if (target === undefined) continue;
    const previous = words[index - 1] ?? '';
    const following = words[index + 1] ?? '';
    const strictlyAfter = nextMarkers.has(previous) || nextMarkers.has(following);
    let days = (target - now.weekday + 7) % 7;
    if (days === 0 && strictlyAfter) days = 7;
    return now.plus({ days });
  }
  return undefined;
}

/** The next date with this day of the month, on or after today, skipping months too short for it. */
function nextDayOfMonth(day: number, now: DateTime): DateTime | undefined {
  if (day < 1 || day > 31) return undefined;
  for (let offset = 0; offset < 3; offset += 1) {
    const month = now.startOf('month').plus({ months: offset });
    if (day > (month.daysInMonth ?? 28)) continue;
    const date = month.set({ day });
    if (date >= now) return date;
  }
  return undefined;
}

/** The next occurrence of a day and month, this year or next. */
function nextDayAndMonth(day: number, month: number, now: DateTime): DateTime | undefined {
  for (const year of [now.year, now.year + 1]) {
    const date = DateTime.fromObject({ year, month, day }, { zone: now.zone });
    if (date.isValid && date >= now) return date;
  }
  return undefined;
}

function dayMonthName(normalized: string, now: DateTime): DateTime | undefined {
  const names = Object.keys(months).join('|');
  // "15 de marzo", "15. märz", "le 15 mars", "the 15th of march", "15 march".
  const dayFirst = new RegExp(` (\\d{1,2})(?:st|nd|rd|th|\\.)?(?: of| de)? (${names}) `).exec(normalized);
  if (dayFirst?.[1] && dayFirst[2])
    return nextDayAndMonth(Number(dayFirst[1]), months[dayFirst[2]] ?? 0, now);
  // "march 15", "march 15th".
  const monthFirst = new RegExp(` (${names}) (\\d{1,2})(?:st|nd|rd|th)? `).exec(normalized);
  if (monthFirst?.[1] && monthFirst[2])
    return nextDayAndMonth(Number(monthFirst[2]), months[monthFirst[1]] ?? 0, now);
  return undefined;
}

/** "15/03", "15.03.", "3/15" (en-US reads month first); the year, when written, is honoured. */
function numericDate(normalized: string, now: DateTime, locale: string | undefined): DateTime | undefined {
  const match = / (\d{1,2})[./](\d{1,2})(?:[./](\d{2}|\d{4}))?\.? /.exec(normalized);
  if (!match?.[1] || !match[2]) return undefined;
  const first = Number(match[1]);
  const second = Number(match[2]);
  const monthFirst = (locale ?? '').toLowerCase() === 'en-us';
  const [day, month] = monthFirst ? [second, first] : [first, second];
  if (match[3]) {
    const year = match[3].length === 2 ? 2000 + Number(match[3]) : Number(match[3]);
    const date = DateTime.fromObject({ year, month, day }, { zone: now.zone });
    return date.isValid ? date : undefined;
  }
  return nextDayAndMonth(day, month, now);
}

function inDays(normalized: string, now: DateTime): DateTime | undefined {
  const match = / (?:in|en|dans) (\d{1,2}) (?:days?|dias?|tagen|jours?) /.exec(normalized);
  return match?.[1] ? now.plus({ days: Number(match[1]) }) : undefined;
}

function dayOfMonth(normalized: string, now: DateTime): DateTime | undefined {
  // "the 15th", "on the 15", "el 15", "el dia 15", "am 15.", "le 15".
  const match =
    / (?:the|on|el|el dia|dia|am|le|den) (\d{1,2})(?:st|nd|rd|th)?\.? /.exec(normalized) ??
    / (\d{1,2})(?:st|nd|rd|th) /.exec(normalized);
  return match?.[1] ? nextDayOfMonth(Number(match[1]), now) : undefined;
}
