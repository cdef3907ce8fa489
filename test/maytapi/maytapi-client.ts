/**
 * A client written the way the official spec (reference/maytapi.openapi.json) tells integrators to write one:
 * `https://api.maytapi.com/api/{product_id}` as the base, the token in `x-maytapi-key`, JSON bodies. The tests
 * only change its base URL.
 */
export class MaytapiClient {
  constructor(
    readonly base: string,
    readonly productId: string,
    readonly token: string,
  ) {}

  get url(): string {
    return `${this.base}/${this.productId}`;
  }

  async call(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<MaytapiResponse> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { 'x-maytapi-key': this.token, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    const contentType = response.headers.get('content-type') ?? '';
    const json: unknown = contentType.startsWith('application/json') ? JSON.parse(bytes.toString('utf8')) : undefined;
    return { status: response.status, contentType, bytes, json: json as any, sandboxError: response.headers.get('x-sandbox-error') };
  }

  get = (path: string) => this.call('GET', path);
  post = (path: string, body?: unknown) => this.call('POST', path, body);
}

export interface MaytapiResponse {
  status: number;
  contentType: string;
  bytes: Buffer;
  json: any;
  sandboxError: string | null;
}
