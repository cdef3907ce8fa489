import { Injectable } from '@nestjs/common';
import { WhatsAppEngine, type Account, type Failure } from '#engine';
import { rejected, type DevinoReason, type RejectedResult } from './devino.errors.js';
import type { DevinoMessageInput, ParsedMessage } from './devino.dto.js';
import { DEVINO_MESSAGE } from './devino.mapper.js';
import { DEVINO_MEDIA_POLICIES, DEVINO_UNDECLARED_MEDIA_POLICY, mediaClassOf } from './devino.profile.js';

export type SendResultEntry = { code: 'OK'; messageId: string } | RejectedResult;

/**
 * Recipients whose last six digits make Devino itself refuse the message, so a client can test the
 * reasons a real account meets only when its balance is spent (402), sending is not allowed (403) or
 * Devino fails inside (500).
 */
export const DEVINO_MAGIC_REJECTIONS: ReadonlyArray<{ suffix: string; key: string }> = [
  { suffix: '000402', key: 'billing.error' },
  { suffix: '000403', key: 'forbidden' },
  { suffix: '000500', key: 'unknown' },
];

/**
 * Recipients whose last six digits are `00` and one of these codes fail with it in their status callback:
 * the refusals Devino and the operator make that no request field or WhatsApp rule explains (spam
 * filters, billing errors, an unknown operator).
 */
export const DEVINO_MAGIC_FAILURES: ReadonlyArray<{ code: string; reason: string }> = [
  { code: '2000', reason: "the recipient's operator could not be determined" },
  { code: '2001', reason: 'rejected as spam' },
  { code: '2002', reason: 'billing error' },
  { code: '2003', reason: 'billing error' },
  { code: '2004', reason: 'billing error' },
  { code: '2006', reason: 'billing error' },
  { code: '2007', reason: 'billing error' },
  { code: '2008', reason: 'billing error' },
  { code: '2012', reason: 'billing error' },
  { code: '2017', reason: 'rejected as spam' },
  { code: '2302', reason: 'rejected as spam by WhatsApp' },
];

/** WhatsApp's limit on a media caption (the Cloud API's caption maxLength); over it the message fails with 2304. */
export const MAX_CAPTION_LENGTH = 1024;

/** Devino's one method as engine calls. Input arrives parsed; output leaves in wire shape. */
@Injectable()
export class DevinoService {
  constructor(private readonly engine: WhatsAppEngine) {}

  /** Each message on its own, in order: a bad one is answered REJECTED and never stops the others. */
  async send(account: Account, messages: ParsedMessage[]): Promise<SendResultEntry[]> {
    const results: SendResultEntry[] = [];
    for (const parsed of messages) results.push(parsed.ok ? await this.sendOne(account, parsed.input, results.length) : rejected(parsed.reasons));
    return results;
  }

  private async sendOne(account: Account, input: DevinoMessageInput, index: number): Promise<SendResultEntry> {
    const refusal = this.refusal(account, input, index);
    if (refusal) return rejected([refusal]);
    const verdict = await this.businessVerdict(account, input);
    const providerData = DEVINO_MESSAGE.write({
      from: input.from,
      callbackUrl: input.callbackUrl,
      callbackData: input.callbackData,
      validity: input.validity,
      templateId: input.template?.name ?? null,
    });
    const result = await this.engine.messages.send(account, {
      recipients: [input.to],
      text: verdict.text ?? input.text ?? '',
      ...(input.template ? { kind: 'template' as const } : {}),
      ...(input.content
        ? {
            mediaUrl: input.content.url,
            mediaPolicy: input.content.type ? DEVINO_MEDIA_POLICIES[mediaClassOf(input.content.type)] : DEVINO_UNDECLARED_MEDIA_POLICY,
          }
        : {}),
      providerData,
      // Devino reports WhatsApp's refusals in status callbacks, not in its answer.
      refusals: 'fail-at-dispatch',
      ...(verdict.failure ? { failAtDispatch: verdict.failure } : {}),
      ...(input.validity !== null ? { validityMs: input.validity * 1000 } : {}),
    });
    if (!result.ok) return rejected([{ key: result.code === 'daily_limit' ? 'billing.error' : 'unknown' }]);
    return { code: 'OK', messageId: result.messages[0]!.id };
  }

  /** What Devino refuses before WhatsApp sees the message: a sender that is not the account's, the magic numbers. */
  private refusal(account: Account, input: DevinoMessageInput, index: number): DevinoReason | null {
    // A number is available only as the account's own line; a sender name is taken as one the account registered.
    if (/^\d+$/.test(input.from) && input.from !== account.linePhone) return { key: 'not.available', ref: `messages[${index}].from` };
    const magic = DEVINO_MAGIC_REJECTIONS.find((candidate) => input.to.endsWith(candidate.suffix));
    return magic ? { key: magic.key } : null;
  }

  /**
   * What Devino, the operator and WhatsApp will say once the message's turn comes: a magic recipient's
   * failure, then WhatsApp's caption limit, then the business messaging rules.
   */
  private async businessVerdict(account: Account, input: DevinoMessageInput): Promise<{ text: string | null; failure: Failure | null }> {
    const magic = DEVINO_MAGIC_FAILURES.find((candidate) => input.to.endsWith(`00${candidate.code}`));
    if (magic) return { text: null, failure: { code: 'send_failed', reason: magic.reason, providerCode: magic.code } };
    if (input.content && !input.template && input.text !== null && input.text.length > MAX_CAPTION_LENGTH) {
      return { text: null, failure: { code: 'text_too_long', reason: `the caption is ${input.text.length} characters, WhatsApp takes ${MAX_CAPTION_LENGTH}` } };
    }
    const verdict = await this.engine.conversations.judge(account, input.to, input.template ?? undefined);
    return verdict.ok ? { text: verdict.text, failure: null } : { text: null, failure: verdict.failure };
  }
}
