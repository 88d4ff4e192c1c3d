import { describe, expect, it } from 'vitest';
import { classifyReply, normalizeReply, type ReplyIntent } from '../../../shared/domain/reply-intent.ts';

// Wednesday 2026-03-11, 22:30 in New York is already Thursday 2026-03-12 in UTC: dates must be
// read in the debtor's zone.
const newYork = {
  receivedAt: new Date('2026-03-12T02:30:00Z'),
  timeZone: 'America/New_York',
  locale: 'en-US',
};
// Wednesday 2026-03-11, 10:00 in Madrid, Berlin and Paris.
const madrid = { receivedAt: new Date('2026-03-11T09:00:00Z'), timeZone: 'Europe/Madrid', locale: 'es-ES' };
const berlin = { receivedAt: new Date('2026-03-11T09:00:00Z'), timeZone: 'Europe/Berlin', locale: 'de-DE' };
const paris = { receivedAt: new Date('2026-03-11T09:00:00Z'), timeZone: 'Europe/Paris', locale: 'fr-FR' };

type Case = readonly [string, ReplyIntent];

describe('classifyReply', () => {
  describe('keyword commands', () => {
    it.each<Case>([
      ['STOP', { kind: 'opt-out', scope: 'this-channel' }],
      ['stop', { kind: 'opt-out', scope: 'this-channel' }],
      ['Stop please', { kind: 'opt-out', scope: 'this-channel' }],
      ['STOP!!!', { kind: 'opt-out', scope: 'this-channel' }],
      ['  Unsubscribe. ', { kind: 'opt-out', scope: 'this-channel' }],
      ['ARRET', { kind: 'opt-out', scope: 'this-channel' }],
      ['Arrêt', { kind: 'opt-out', scope: 'this-channel' }],
      ['CANCEL', { kind: 'opt-out', scope: 'this-channel' }],
      ['END', { kind: 'opt-out', scope: 'this-channel' }],
      ['OPT-OUT', { kind: 'opt-out', scope: 'this-channel' }],
      ['optout', { kind: 'opt-out', scope: 'this-channel' }],
      ['QUIT', { kind: 'opt-out', scope: 'this-channel' }],
      ['REMOVE', { kind: 'opt-out', scope: 'this-channel' }],
      ['TD', { kind: 'opt-out', scope: 'this-channel' }],
      ['BAJA', { kind: 'opt-out', scope: 'this-channel' }],
      ['Stopp', { kind: 'opt-out', scope: 'this-channel' }],
      ['START', { kind: 'opt-in' }],
      ['unstop', { kind: 'opt-in' }],
      ['HELP', { kind: 'help' }],
      ['Ayuda', { kind: 'help' }],
      ['Hilfe', { kind: 'help' }],
      ['aide', { kind: 'help' }],
    ])('reads %j as a keyword command', (text, expected) => {
      expect(classifyReply(text, newYork)).toEqual(expected);
    });

    it.each([
      'end of the month I will check',
      'I want to stop the subscription but I already paid',
      'help me understand this invoice',
    ])('does not take a keyword inside a sentence (%j) for the command', (text) => {
      expect(classifyReply(text, newYork).kind).not.toMatch(/^(opt-out|help)$/);
    });
  });

  describe('opt-out wording', () => {
    it.each<Case>([
      ['Please stop texting me', { kind: 'opt-out', scope: 'this-channel' }],
      ["Don't message me again", { kind: 'opt-out', scope: 'this-channel' }],
      ['Dejen de escribirme por favor', { kind: 'opt-out', scope: 'this-channel' }],
      ['Keine Nachrichten mehr bitte', { kind: 'opt-out', scope: 'this-channel' }],
      ["Ne m'écrivez plus", { kind: 'opt-out', scope: 'this-channel' }],
      ['Stop calling me', { kind: 'opt-out', scope: 'calls' }],
      ['No me llamen más', { kind: 'opt-out', scope: 'calls' }],
      ['Bitte nicht mehr anrufen', { kind: 'opt-out', scope: 'calls' }],
      ["Ne m'appelez plus", { kind: 'opt-out', scope: 'calls' }],
      ['Wrong number, stop texting me', { kind: 'opt-out', scope: 'this-channel' }],
    ])('reads %j as an opt-out', (text, expected) => {
      expect(classifyReply(text, newYork)).toEqual(expected);
    });
  });

  describe('English', () => {
    it.each<Case>([
      ["I'll pay on the 15th", { kind: 'promise-to-pay', date: '2026-03-15' }],
      ['I will pay on Friday', { kind: 'promise-to-pay', date: '2026-03-13' }],
      ['I can pay tomorrow', { kind: 'promise-to-pay', date: '2026-03-12' }],
      ["I'll pay next Wednesday", { kind: 'promise-to-pay', date: '2026-03-18' }],
      ["I'll pay on 3/20", { kind: 'promise-to-pay', date: '2026-03-20' }],
      ["I'll pay March 31st.", { kind: 'promise-to-pay', date: '2026-03-31' }],
      ['I will pay in 5 days', { kind: 'promise-to-pay', date: '2026-03-16' }],
      ["I'll pay at the end of the month", { kind: 'promise-to-pay', date: '2026-03-31' }],
      ["I'll pay the 2nd", { kind: 'promise-to-pay', date: '2026-04-02' }],
      ["I'll pay soon", { kind: 'promise-to-pay' }],
      ['I already paid this yesterday', { kind: 'already-paid' }],
      ["It's paid, check your records", { kind: 'already-paid' }],
      ['I dispute this charge', { kind: 'dispute' }],
      ["I don't owe you anything", { kind: 'dispute' }],
      ["I won't pay this", { kind: 'dispute' }],
      ['I lost my job and cannot pay right now', { kind: 'hardship' }],
      ['Can I get a payment plan?', { kind: 'hardship' }],
      ['Wrong number', { kind: 'wrong-person' }],
      ['Who is this?', { kind: 'wrong-person' }],
      ['Please call me after 5', { kind: 'call-me' }],
      ['I want to talk to someone', { kind: 'call-me' }],
      ['ok', { kind: 'unknown' }],
    ])('reads %j', (text, expected) => {
      expect(classifyReply(text, newYork)).toEqual(expected);
    });
  });

  describe('Spanish', () => {
    it.each<Case>([
      ['Pagaré el viernes', { kind: 'promise-to-pay', date: '2026-03-13' }],
      ['pagare el lunes', { kind: 'promise-to-pay', date: '2026-03-16' }],
      ['Te pago mañana', { kind: 'promise-to-pay', date: '2026-03-12' }],
      ['Pagaré pasado mañana', { kind: 'promise-to-pay', date: '2026-03-13' }],
      ['Voy a pagar el 20', { kind: 'promise-to-pay', date: '2026-03-20' }],
      ['Puedo pagar el 5 de abril', { kind: 'promise-to-pay', date: '2026-04-05' }],
      ['Pagaré el 15/03', { kind: 'promise-to-pay', date: '2026-03-15' }],
      ['Pagaré a fin de mes', { kind: 'promise-to-pay', date: '2026-03-31' }],
      ['Ya pagué la factura', { kind: 'already-paid' }],
      ['No debo nada, es un cobro indebido', { kind: 'dispute' }],
      ['No pagaré esto', { kind: 'dispute' }],
      ['Perdí mi trabajo, no puedo pagar', { kind: 'hardship' }],
      ['¿Puedo pagar en cuotas?', { kind: 'hardship' }],
      ['Número equivocado', { kind: 'wrong-person' }],
      ['Llámame por favor', { kind: 'call-me' }],
    ])('reads %j', (text, expected) => {
      expect(classifyReply(text, madrid)).toEqual(expected);
    });
  });

  describe('German', () => {
    it.each<Case>([
      ['Ich zahle am Freitag', { kind: 'promise-to-pay', date: '2026-03-13' }],
      ['Ich zahle morgen', { kind: 'promise-to-pay', date: '2026-03-12' }],
      ['Ich zahle übermorgen', { kind: 'promise-to-pay', date: '2026-03-13' }],
      ['Ich überweise am 20.', { kind: 'promise-to-pay', date: '2026-03-20' }],
      ['Werde am 2. April zahlen, ich zahle dann', { kind: 'promise-to-pay', date: '2026-04-02' }],
      ['Ich zahle am 15.03.', { kind: 'promise-to-pay', date: '2026-03-15' }],
      ['Ich zahle nächsten Mittwoch', { kind: 'promise-to-pay', date: '2026-03-18' }],
      ['Habe schon bezahlt', { kind: 'already-paid' }],
      ['Ich lege Widerspruch ein', { kind: 'dispute' }],
      ['Ich bin arbeitslos und kann nicht zahlen', { kind: 'hardship' }],
      ['Falsche Nummer', { kind: 'wrong-person' }],
      ['Rufen Sie mich an', { kind: 'call-me' }],
    ])('reads %j', (text, expected) => {
      expect(classifyReply(text, berlin)).toEqual(expected);
    });
  });

  describe('French', () => {
    it.each<Case>([
      ['Je paierai vendredi', { kind: 'promise-to-pay', date: '2026-03-13' }],
      ['Je paierai demain', { kind: 'promise-to-pay', date: '2026-03-12' }],
      ['Je vais payer après-demain', { kind: 'promise-to-pay', date: '2026-03-13' }],
      ['Je vais payer le 20', { kind: 'promise-to-pay', date: '2026-03-20' }],
      ['Je peux payer le 3 avril', { kind: 'promise-to-pay', date: '2026-04-03' }],
      ['Je paierai à la fin du mois', { kind: 'promise-to-pay', date: '2026-03-31' }],
      ["J'ai déjà payé", { kind: 'already-paid' }],
      ['Je conteste cette facture', { kind: 'dispute' }],
      ['Je ne paierai pas', { kind: 'dispute' }],
      ['Je suis au chômage, je ne peux pas payer', { kind: 'hardship' }],
      ['Mauvais numéro', { kind: 'wrong-person' }],
      ['Appelez-moi svp', { kind: 'call-me' }],
    ])('reads %j', (text, expected) => {
      expect(classifyReply(text, paris)).toEqual(expected);
    });
  });

  describe('promise dates', () => {
    it('reads relative days in the debtor’s zone, not in UTC', () => {
      // 22:30 on Wednesday in New York: "tomorrow" is Thursday there, although UTC is already Thursday.
      expect(classifyReply('I will pay tomorrow', newYork)).toEqual({
        kind: 'promise-to-pay',
        date: '2026-03-12',
      });
      expect(classifyReply('I will pay tomorrow', { ...newYork, timeZone: 'UTC' })).toEqual({
        kind: 'promise-to-pay',
        date: '2026-03-13',
      });
    });

    it('takes a weekday named on that same day as today, and "next" as a week later', () => {
      const friday = { ...madrid, receivedAt: new Date('2026-03-13T09:00:00Z') };
      expect(classifyReply('Pagaré el viernes', friday)).toEqual({
        kind: 'promise-to-pay',
        date: '2026-03-13',
      });
      expect(classifyReply('Pagaré el próximo viernes', friday)).toEqual({
        kind: 'promise-to-pay',
        date: '2026-03-20',
      });
    });

    it('rolls a day of the month that has passed into the next month, skipping months too short for it', () => {
      const january31 = { ...newYork, receivedAt: new Date('2026-02-01T03:00:00Z') };
      expect(classifyReply("I'll pay on the 30th", january31)).toEqual({
        kind: 'promise-to-pay',
        date: '2026-03-30',
      });
    });

    it('reads numeric dates month first only for en-US', () => {
      expect(classifyReply("I'll pay on 4/5", newYork)).toEqual({
        kind: 'promise-to-pay',
        date: '2026-04-05',
      });
      expect(classifyReply("I'll pay on 4/5", { ...newYork, locale: 'en-GB' })).toEqual({
        kind: 'promise-to-pay',
        date: '2026-05-04',
      });
    });

    it('gives no date for a day too far out to pause for, or in the past', () => {
      expect(classifyReply("I'll pay on 1/2/2026", newYork)).toEqual({ kind: 'promise-to-pay' });
      expect(classifyReply("I'll pay on 12/24", newYork)).toEqual({ kind: 'promise-to-pay' });
    });

    it('crosses a year end', () => {
      const december = { ...berlin, receivedAt: new Date('2026-12-30T09:00:00Z') };
      expect(classifyReply('Ich zahle am 5. Januar', december)).toEqual({
        kind: 'promise-to-pay',
        date: '2027-01-05',
      });
    });
  });

  it('is deterministic: the same reply and moment always give the same intent', () => {
    const first = classifyReply('Pagaré el viernes', madrid);
    for (let run = 0; run < 5; run += 1) expect(classifyReply('Pagaré el viernes', madrid)).toEqual(first);
  });
});

describe('normalizeReply', () => {
  it('folds case, accents and apostrophes, keeping digits with their dots and slashes', () => {
    expect(normalizeReply("I'LL PAY — Mañana, 15.03. ¿Vale?")).toBe(' ill pay manana 15.03. vale ');
    expect(normalizeReply('Straße übermorgen 3/20.')).toBe(' strasse ubermorgen 3/20. ');
  });
});
