import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';

/** A chaos answer as the client saw it. */
export interface SeenAnswer {
  status: number;
  contentType: string;
  retryAfter: string | null;
  body: string;
}

/**
 * What is wrong with a chaos answer by the provider's contract (its `x-chaos-answers`: `5XX` for a failing
 * server, `429` for a rate limit): the media type, the body's schema, the Retry-After header. Empty when right.
 */
export function chaosAnswerProblems(provider: string, answer: SeenAnswer): string[] {
  const doc = parse(readFileSync(fileURLToPath(new URL(`../../contracts/${provider}.openapi.yaml`, import.meta.url)), 'utf8')) as {
    'x-chaos-answers': Record<string, { headers?: Record<string, unknown>; content: Record<string, unknown> }>;
  };
  const key = answer.status === 429 ? '429' : '5XX';
  const declared = doc['x-chaos-answers'][key];
  if (!declared) return [`${provider}'s contract declares no x-chaos-answers ${key}`];
  const mediaType = answer.contentType.split(';')[0]!.trim();
  if (!(mediaType in declared.content)) return [`${mediaType} is not among ${Object.keys(declared.content).join(', ')}`];
  const problems: string[] = [];
  if (declared.headers?.['Retry-After'] && !/^\d+$/.test(answer.retryAfter ?? '')) problems.push(`Retry-After is ${answer.retryAfter}`);
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema(doc, 'urn:wa:chaos');
  const validate = ajv.getSchema(`urn:wa:chaos#/x-chaos-answers/${key}/content/${mediaType.replace('/', '~1')}/schema`)!;
  const body = mediaType === 'application/json' ? JSON.parse(answer.body) : answer.body;
  if (!validate(body)) problems.push(ajv.errorsText(validate.errors));
  return problems;
}
