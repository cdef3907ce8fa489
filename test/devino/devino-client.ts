/** A Devino client as the seed's curl example calls it: JSON body, `Authorization: Key <key>`. */
export interface DevinoResponse {
  status: number;
  contentType: string;
  json: any;
  text: string;
}

export async function postMessages(base: string, body: unknown, key: string | null = 'QWxhZGRpbjpvcGVuIHNlc2FtZQ==', raw?: string): Promise<DevinoResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== null) headers.authorization = `Key ${key}`;
  const response = await fetch(`${base}/whatsapp/messages`, { method: 'POST', headers, body: raw ?? JSON.stringify(body) });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', json, text };
}
