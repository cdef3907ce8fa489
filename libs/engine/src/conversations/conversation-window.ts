import type { EngineClock } from '../clock/clock.js';
import type { EngineEvent, EngineEvents } from '../events.js';
import type { Failure } from '../store/models.js';
import type { EngineStore } from '../store/store.js';
import type { TemplateRegistry, TemplateUse } from './template-registry.js';

/** WhatsApp Business: a customer's message opens a 24-hour customer-service window for free-form replies. */
export const CONVERSATION_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface ConversationWindow {
  open: boolean;
  /** Clock time of the customer's last message to the line; null when the customer never wrote. */
  lastInboundAt: number | null;
  /** When the window closes (or closed); null when it never opened. */
  closesAt: number | null;
}

/** A business line: the account (its id names the line) and its number. An `Account` is one. */
export interface BusinessLine {
  id: string;
  linePhone: string;
}

/** What a business line may send under WhatsApp Business rules: free text in the window, templates any time. */
export type BusinessMessageVerdict = { ok: true; text: string | null } | { ok: false; failure: Failure };

/**
 * WhatsApp Business conversation rules, for providers on the official API (Devino): the window each
 * customer's last inbound message opens on its line, and what may be sent with it open or closed.
 * Linked-device providers (WhatsApp Web sessions) have no such rules and never ask.
 */
export class ConversationWindows {
  constructor(
    private readonly store: EngineStore,
    private readonly clock: EngineClock,
    events: EngineEvents,
    private readonly templates: TemplateRegistry,
  ) {
    events.on((event) => this.observe(event));
  }

  async window(lineId: string, peer: string): Promise<ConversationWindow> {
    const last = await this.store.conversations.lastInbound(lineId, peer);
    if (last === undefined) return { open: false, lastInboundAt: null, closesAt: null };
    const closesAt = last + CONVERSATION_WINDOW_MS;
    return { open: this.clock.now() < closesAt, lastInboundAt: last, closesAt };
  }

  /**
   * Judges an outbound business message: a line may not write to its own number; a template is checked
   * against the registry (and may go out at any time); free text needs the window open. Resolves the
   * template's filled-in text for a template.
   */
  async judge(line: BusinessLine, peer: string, template?: TemplateUse): Promise<BusinessMessageVerdict> {
    if (peer === line.linePhone) return { ok: false, failure: { code: 'own_number', reason: 'the recipient is the business number the message is sent from' } };
    if (template) {
      const check = await this.templates.check(template);
      return check.ok ? { ok: true, text: check.text } : { ok: false, failure: { code: check.code, reason: check.reason } };
    }
    const window = await this.window(line.id, peer);
    if (window.open) return { ok: true, text: null };
    const reason =
      window.lastInboundAt === null
        ? 'the customer has not written to this line, so only a template may be sent'
        : `the customer last wrote at ${new Date(window.lastInboundAt).toISOString()}: the 24-hour window closed at ${new Date(window.closesAt!).toISOString()}, only a template may be sent`;
    return { ok: false, failure: { code: 'outside_window', reason } };
  }

  private async observe(event: EngineEvent): Promise<void> {
    if (event.type !== 'message.received') return;
    const { lineId, peer, createdAt } = event.message;
    await this.store.conversations.recordInbound(lineId, peer, createdAt);
  }
}
