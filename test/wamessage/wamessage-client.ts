import type { ControlClient } from '#conformance';
import { send, type WireResponse } from '../support/php-client.js';

/** A Wamessage client as the seed describes it: JSON bodies, Bearer token on every call but register and login. */
export class WamessageClient {
  token = '';

  constructor(readonly base: string) {}

  json(method: string, path: string, body?: unknown, token = this.token): Promise<WireResponse> {
    return send(`${this.base}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  get(path: string, token = this.token): Promise<WireResponse> {
    return this.json('GET', path, undefined, token);
  }

  form(path: string, body: FormData | URLSearchParams, token = this.token): Promise<WireResponse> {
    return send(`${this.base}${path}`, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {}, body });
  }

  /** Registers the user (201) and logs in; the token is kept for the next calls. */
  async signUp(phone: string, password = 'gizli-sifre-1'): Promise<void> {
    const registered = await this.json('POST', '/user/register', { phone, password }, '');
    if (registered.status !== 201) throw new Error(`register answered ${registered.status} ${registered.text}`);
    await this.signIn(phone, password);
  }

  /** Logs in; the token is kept for the next calls. */
  async signIn(phone: string, password = 'gizli-sifre-1'): Promise<void> {
    const login = await this.json('POST', '/user/login', { phone, password }, '');
    if (login.status !== 200) throw new Error(`login answered ${login.status} ${login.text}`);
    this.token = (login.json as { token: string }).token;
  }

  /** login/code, the phone types the code (control API), the clock runs past loading, logincontrol registers it. */
  async linkDevice(control: ControlClient, phone: string): Promise<number> {
    const code = await this.json('POST', '/whatsapp/login/code', { phone });
    if (code.status !== 200) throw new Error(`login/code answered ${code.status} ${code.text}`);
    const { code: pairingCode, registrationId } = (code.json as { data: { code: string; registrationId: number } }).data;
    await control.pair(pairingCode, phone);
    await control.advance(5_000);
    const check = await this.get(`/whatsapp/ws/logincontrol?registrationId=${registrationId}&phone=${phone}`);
    if (!(check.json as { data: { connected: boolean } }).data.connected) throw new Error(`logincontrol: ${check.text}`);
    return registrationId;
  }
}
