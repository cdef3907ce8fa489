/**
 * What the relay phone forwards: every WhatsApp notification, raw (the article's phone marks it read and
 * posts it as it is; the server parses sender and text out of it). Android's WhatsApp notification has a
 * title and a text:
 * - a chat: title = the contact's name as the phone saved it, or the number when it is not saved;
 * - a group: title = "Name @ Group" (who wrote, and the group's subject);
 * - several unread: WhatsApp adds " (3 messages)" to the title, and posts a summary ("3 new messages",
 *   "5 messages from 2 chats", titled "WhatsApp") that names nobody: summaries are ignored.
 */
export type ParsedNotification =
  | {
      kind: 'message';
      /** A number (digits) when the title was one, else the name the phone shows. */
      sender: { number: string } | { name: string };
      /** The group's subject, for a group message. */
      group: string | null;
      text: string;
    }
  | { kind: 'ignored'; reason: string };

/** WhatsApp's summary lines, in English and Russian (the article's phone): "3 new messages", "5 messages from 2 chats", "3 новых сообщения". */
const SUMMARY_TEXT = /^\d+\s+(new\s+)?messages?(\s+from\s+\d+\s+chats?)?$|^\d+\s+(новых?\s+)?сообщени[йяе]/i;
/** " (3 messages)" or " (3 сообщения)" after a chat's title when several are unread. */
const UNREAD_COUNT = /\s*\(\d+\s+(messages?|сообщени[йяе])\)$/i;
/** A title that is a number: what WhatsApp shows for a sender the phone has not saved (+7 900 123-45-67). */
const NUMBER_TITLE = /^\+?[\d\s()-]{7,24}$/;

export function parseNotification(title: string, text: string): ParsedNotification {
  const heading = title.trim().replace(UNREAD_COUNT, '');
  const body = text.trim();
  if (heading === '' || heading === 'WhatsApp' || SUMMARY_TEXT.test(body)) return { kind: 'ignored', reason: 'a summary notification names no sender' };
  if (body === '') return { kind: 'ignored', reason: 'the notification has no text' };
  const at = heading.lastIndexOf(' @ ');
  const who = at === -1 ? heading : heading.slice(0, at).trim();
  const group = at === -1 ? null : heading.slice(at + 3).trim();
  if (who === '' || group === '') return { kind: 'ignored', reason: `the title "${title}" names no sender` };
  const digits = who.replace(/\D/g, '');
  const sender = NUMBER_TITLE.test(who) && digits.length >= 7 && digits.length <= 15 ? { number: digits } : { name: who };
  return { kind: 'message', sender, group, text: body };
}
