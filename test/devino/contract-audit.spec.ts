import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { DEVINO_ERROR_CODES } from '#providers/devino';

const CONTRACT = fileURLToPath(new URL('../../contracts/devino.openapi.yaml', import.meta.url));
// The provider documents sit beside the repository (`../shared`), where CI and every developer have them.
const SEED = fileURLToPath(new URL('../../../shared/seeds/001_784334d401ff918f.txt', import.meta.url));

type Node = Record<string, unknown>;
const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);

function inferredPointers(node: unknown, at = ''): string[] {
  if (Array.isArray(node)) return node.flatMap((value, index) => inferredPointers(value, `${at}/${index}`));
  if (!isNode(node)) return [];
  const own = node['x-inferred'] === true ? [at] : [];
  return [...own, ...Object.entries(node).flatMap(([key, value]) => inferredPointers(value, `${at}/${key}`))];
}

describe('the Devino contract against the seed', () => {
  let doc: Node;
  let errorCodes: Node[];
  beforeAll(async () => {
    doc = parse(await readFile(CONTRACT, 'utf8')) as Node;
    const schemas = (doc.components as Node).schemas as Node;
    errorCodes = (((schemas.StatusItem as Node).properties as Node).errorCode as Node).oneOf as Node[];
  });

  it('lists every code of the seed’s status table, each with a trigger, and the sandbox can force each', () => {
    const table = [
      '2000',
      '2001',
      ...['2002', '2003', '2004'],
      '2005',
      ...['2006', '2007', '2008'],
      '2009',
      '2010',
      '2011',
      '2012',
      '2017',
      '2300',
      '2301',
      '2302',
      '2303',
      '2304',
      '2305',
      '2307',
      '2308',
      '2309',
      '2310',
      '2311',
      '2312',
      '2313',
    ];
    expect(errorCodes.map((entry) => String(entry.const))).toEqual(['0', ...table]);
    expect([...DEVINO_ERROR_CODES]).toEqual(table);
    for (const entry of errorCodes) expect([entry.const, typeof entry.description]).toEqual([entry.const, 'string']);
  });

  it('quotes the seed’s own description of each code', async () => {
    const seed = await readFile(SEED, 'utf8').catch(() => null);
    if (seed === null) return; // a clone without ../shared (a user's own): nothing to quote against
    for (const entry of errorCodes.filter((candidate) => candidate.const !== 0)) {
      expect([entry.const, seed.includes(String(entry.title).replace(' (sic)', ''))]).toEqual([entry.const, true]);
    }
  });

  it('marks exactly the choices the seed leaves open (the audit of issue 13)', () => {
    const codes = (indexes: number[]) => indexes.map((index) => `/components/schemas/StatusItem/properties/errorCode/oneOf/${index}`);
    const indexOf = (code: number) => errorCodes.findIndex((entry) => entry.const === code);
    expect(inferredPointers(doc).sort()).toEqual(
      [
        // The whole request refused: status and envelope; 100 a request.
        '/paths//whatsapp/messages/post/responses/400',
        '/webhooks/statusCallback/post',
        '/webhooks/incomingMessage/post',
        '/components/responses/Unauthorized',
        '/components/responses/NotFound',
        '/components/schemas/OutgoingMessage/properties/from',
        '/components/schemas/OutgoingMessage/properties/to',
        '/components/schemas/OutgoingMessage/properties/text',
        '/components/schemas/OutgoingMessage/properties/validity',
        '/components/schemas/OutgoingMessage/properties/contentName',
        '/components/schemas/OutgoingMessage/properties/contentType',
        '/components/schemas/OutgoingMessage/properties/languageCode',
        '/components/schemas/Rejected/properties/reasons',
        '/components/schemas/Rejected/properties/description',
        '/components/schemas/Reason/properties/ref',
        // Status words beyond the seed's DELIVERED, from the older API.
        '/components/schemas/StatusItem/properties/status',
        // Seed conflicts: messageId long against string; user fields and options typed string but empty.
        '/components/schemas/StatusItem/properties/messageId',
        '/components/schemas/StatusItem/properties/ip',
        '/components/schemas/StatusItem/properties/browser',
        '/components/schemas/StatusItem/properties/os',
        '/components/schemas/StatusItem/properties/userAgent',
        '/components/schemas/StatusItem/properties/options',
        // Codes whose trigger the seed leaves open (2303 also its 5 MB against 16 MB conflict).
        ...codes([2005, 2009, 2010, 2011, 2300, 2301, 2303, 2304, 2309, 2310, 2311, 2313].map(indexOf)),
        '/components/schemas/WhatsAppContact',
        // The answers of a failing server and of a rate limit (chaos): the seed shows neither.
        '/x-chaos-answers/5XX',
        '/x-chaos-answers/429',
      ].sort(),
    );
  });
});
