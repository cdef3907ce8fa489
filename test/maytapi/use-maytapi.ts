import { useSandbox, type SandboxHandle } from '../support/sandbox.js';
import { MaytapiClient } from './maytapi-client.js';

export interface MaytapiOptions {
  /** The product id in the client's base URL. */
  product: string;
  /** Its key (`x-maytapi-key`): the product is bound to the first key it is called with. */
  key: string;
  /** A media server (test/support/media-server.ts) for the file's tests. */
  media?: boolean;
  /**
   * A phone added and logged in before each test: its QR code scanned as this number, or as the control
   * API's default number with `true`.
   */
  phone?: string | true;
}

export interface MaytapiHandle extends SandboxHandle {
  /** This test's client, its product's webhook set to this test's receiver. */
  client: MaytapiClient;
  /** This test's logged-in phone, with `phone`. */
  phoneId: number;
  /** The engine session behind `phoneId`. */
  sessionId: string;
}

/**
 * A sandbox (useSandbox, reset and a receiver before each test) with a Maytapi product: before each test, a
 * client with only its base URL changed, the webhook set to the receiver and, with `phone`, a logged-in phone.
 */
export function useMaytapi(options: MaytapiOptions): MaytapiHandle {
  const sandbox = useSandbox({ receiver: true, media: options.media }) as MaytapiHandle;
  beforeEach(async () => {
    sandbox.client = new MaytapiClient(`${sandbox.origin}/maytapi/api`, options.product, options.key);
    await sandbox.client.post('/setWebhook', { webhook: sandbox.receiver.url });
    if (!options.phone) return;
    sandbox.phoneId = (await sandbox.client.post('/addPhone')).json.id;
    // A new phone starts up (loading) for at most 3 s before it shows its QR code.
    await sandbox.control.advance(3_000);
    sandbox.sessionId = (await sandbox.control.sessions('maytapi', options.product))[0]!.id;
    await sandbox.control.scan(sandbox.sessionId, options.phone === true ? undefined : options.phone);
    await sandbox.control.advance(5_000);
  });
  return sandbox;
}
