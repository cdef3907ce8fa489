import { ProviderError, retryAfter, type ProviderErrorLike } from '#http';

/** A reason a message (or the whole request) is rejected: Devino's `{key, ref}`. */
export interface DevinoReason {
  key: string;
  ref?: string;
}

/** The seed's table of error keys, exactly; `i` in a ref is the message's index in the request. */
const DESCRIPTIONS: Record<string, string> = {
  'billing.error': 'Необходима оплата.',
  forbidden: 'Отправка запрещена.',
  unknown: 'Неизвестная ошибка.',
  'invalid messages[i].to': 'Неправильно указан номер телефона.',
  'invalid messages[i].validity': 'Неправильно указан срок жизни сообщения.',
  'invalid messages[i].callbackUrl': 'Неправильно указан URL.',
  'invalid messages[i].contentUrl': 'Неправильно указан URL контента.',
  'invalid messages[i].contentType': 'Неправильно указан тип контента.',
  'invalid messages[i].from': 'Неправильно указан отправитель.',
  'invalid messages[i].languageCode': 'Неправильно указан код языка.',
  'length.too.long messages[i].to': 'Превышена максимальная длина номера телефона.',
  'length.too.long messages[i].text': 'Превышена максимальная длина текста сообщения.',
  'length.too.long messages[i].languageCode': 'Слишком длинный код языка.',
  'length.too.short messages[i].contentName': 'Слишком короткое название контента.',
  'length.too.short messages[i].languageCode': 'Слишком короткий код языка.',
  'must.be.not.null messages[i].to': 'Получатель не указан.',
  'must.be.not.null messages': 'Массив messages не может быть пустым.',
  'must.be.not.null messages[i].from': 'Отправитель не указан.',
  'must.be.not.null messages[i]': 'Поле текста и контента не указано.',
  'not.available messages[i].from': 'Некорректный адрес отправителя.',
  'too.many.messages messages': 'Превышен максимальный размер массива messages.',
};

/**
 * The seed's description of a reason, its ref's index generalised to `i`. A field the table has no row
 * for (a JSON object where text is expected) gets a description in the table's own words.
 */
export function describeReason(reason: DevinoReason): string {
  const ref = reason.ref?.replace(/^messages\[\d+\]/, 'messages[i]');
  const listed = DESCRIPTIONS[ref === undefined ? reason.key : `${reason.key} ${ref}`];
  if (listed) return listed;
  return reason.key === 'invalid' && reason.ref ? `Неправильно указан параметр ${reason.ref}.` : DESCRIPTIONS.unknown!;
}

export interface RejectedResult {
  code: 'REJECTED';
  reasons: DevinoReason[];
  description: string;
}

/** One rejected entry of the `result` array; several reasons' descriptions are joined in order. */
export function rejected(reasons: DevinoReason[]): RejectedResult {
  return { code: 'REJECTED', reasons, description: reasons.map(describeReason).join(' ') };
}

/** A whole request refused (no messages, too many, bad credentials): the same envelope with one entry. */
export function requestRejected(status: number, reason: DevinoReason, why: string): ProviderError {
  return new ProviderError(status, { result: [rejected([reason])] }, why);
}

export function unauthorized(why: string): ProviderError {
  return requestRejected(401, { key: 'forbidden' }, why);
}

/** A body that could not be read has no `messages` array, and is answered as such. */
export function unreadableBody(problem: string): ProviderError {
  return requestRejected(400, { key: 'must.be.not.null', ref: 'messages' }, `the body could not be read: ${problem}`);
}

/** Inferred: the seed shows no server failure; the request-level envelope with the table's `unknown` key. */
export function serverError(status: 500 | 502 | 503, reason: string): ProviderError {
  return requestRejected(status, { key: 'unknown' }, reason);
}

/** Inferred, as serverError: the seed names no request limit. */
export function rateLimited(retryAfterSeconds: number, reason: string): ProviderError {
  return new ProviderError(429, { result: [rejected([{ key: 'unknown' }])] }, reason, retryAfter(retryAfterSeconds));
}

export function fallbackError(status: number, reason: string): ProviderErrorLike {
  const code = status === 404 || status === 405 || status === 401 ? status : status >= 500 ? 500 : 400;
  return { status: code, body: { result: [rejected([{ key: 'unknown' }])] }, reason };
}
