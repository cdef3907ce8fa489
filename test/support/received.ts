import type { WebhookReceiver } from '#conformance';

/** The JSON bodies a webhook receiver acknowledged, in arrival order. */
export function received(receiver: WebhookReceiver): unknown[] {
  return receiver.accepted.map((request) => request.json);
}
