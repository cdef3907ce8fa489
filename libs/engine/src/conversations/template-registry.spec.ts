import { specEngine } from '../testing/spec-engine.js';
import { normalizeLanguage, TemplateDefinitionError, TEMPLATE_BODY_MAX_LENGTH } from './template-registry.js';

const ACTIVATED = { name: 'account_activated', language: 'ru', text: 'Аккаунт активирован. Поддержка: {{1}}, сайт: {{2}}' };

describe('TemplateRegistry', () => {
  it('derives the parameter count from the {{n}} placeholders and normalises the language', async () => {
    const engine = specEngine();
    const template = await engine.templates.put({ name: 'order_ready', language: 'en-us', text: 'Order {{1}} is ready, {{2}}. Order {{1}} again.' });
    expect(template).toMatchObject({ name: 'order_ready', language: 'en_US', parameterCount: 2 });
    expect(await engine.templates.get('order_ready', 'EN_us')).toEqual(template);
  });

  it.each([
    [{ name: 'Bad Name', language: 'en', text: 'x' }, /lowercase letters/],
    [{ name: 'ok', language: 'english', text: 'x' }, /language "english"/],
    [{ name: 'ok', language: 'en', text: '   ' }, /must not be empty/],
    [{ name: 'ok', language: 'en', text: 'a {{1}} b {{3}}' }, /without gaps/],
    [{ name: 'ok', language: 'en', text: 'x'.repeat(TEMPLATE_BODY_MAX_LENGTH + 1) }, /limit is 1024/],
  ])('refuses the definition %j', async (input, message) => {
    const engine = specEngine();
    await expect(engine.templates.put(input)).rejects.toThrow(TemplateDefinitionError);
    await expect(engine.templates.put(input)).rejects.toThrow(message);
    expect(await engine.templates.list()).toEqual([]);
  });

  it('checks a use: unknown name, missing language, parameter count, format and length, then fills it in', async () => {
    const engine = specEngine();
    await engine.templates.put(ACTIVATED);
    const check = (use: { name?: string; language?: string; params: Record<string, string> }) =>
      engine.templates.check({ name: use.name ?? 'account_activated', language: use.language ?? 'ru', params: use.params });
    expect(await check({ name: 'nope', params: {} })).toMatchObject({ ok: false, code: 'template_not_found' });
    expect(await check({ language: 'EN', params: { 1: 'a', 2: 'b' } })).toMatchObject({
      ok: false,
      code: 'template_language',
      reason: expect.stringMatching(/exists in ru/),
    });
    expect(await check({ params: { 1: 'a' } })).toMatchObject({ ok: false, code: 'template_param_count' });
    expect(await check({ params: { 1: 'a', 3: 'b' } })).toMatchObject({ ok: false, code: 'template_param_count' });
    expect(await check({ params: { 1: 'a', 2: 'b', 3: 'c' } })).toMatchObject({ ok: false, code: 'template_param_count' });
    expect(await check({ params: { 1: 'line\nbreak', 2: 'b' } })).toMatchObject({ ok: false, code: 'template_param_format' });
    expect(await check({ params: { 1: 'tab\there', 2: 'b' } })).toMatchObject({ ok: false, code: 'template_param_format' });
    expect(await check({ params: { 1: 'four    spaces', 2: 'b' } })).toMatchObject({ ok: false, code: 'template_param_format' });
    expect(await check({ params: { 1: 'three   spaces', 2: 'b' } })).toMatchObject({ ok: true });
    expect(await check({ params: { 1: 'x'.repeat(1000), 2: 'b' } })).toMatchObject({ ok: false, code: 'text_too_long' });
    expect(await check({ params: { 1: 'x'.repeat(32_769), 2: 'b' } })).toMatchObject({ ok: false, code: 'template_param_too_long' });
    expect(await check({ params: { 2: 'https://devino.online', 1: '+7(495) 646 00 54' } })).toMatchObject({
      ok: true,
      text: 'Аккаунт активирован. Поддержка: +7(495) 646 00 54, сайт: https://devino.online',
    });
  });

  it('removes one language or all of them', async () => {
    const engine = specEngine();
    await engine.templates.put(ACTIVATED);
    await engine.templates.put({ ...ACTIVATED, language: 'en', text: 'Activated. Support: {{1}}, site: {{2}}' });
    await engine.templates.put({ name: 'other', language: 'en', text: 'Hi' });
    expect(await engine.templates.remove('account_activated', 'EN')).toBe(1);
    expect((await engine.templates.list()).map((t) => `${t.name}/${t.language}`)).toEqual(['account_activated/ru', 'other/en']);
    expect(await engine.templates.remove('account_activated')).toBe(1);
    expect(await engine.templates.remove('account_activated')).toBe(0);
    expect((await engine.templates.list()).map((t) => t.name)).toEqual(['other']);
  });

  it('keeps the baseline across a reset and forgets what was added since', async () => {
    const engine = specEngine();
    await engine.templates.setBaseline([ACTIVATED]);
    await engine.templates.put({ name: 'added_later', language: 'en', text: 'Hi {{1}}' });
    await engine.templates.remove('account_activated');
    await engine.reset();
    expect((await engine.templates.list()).map((t) => t.name)).toEqual(['account_activated']);
  });

  it('refuses a whole baseline with one bad definition', async () => {
    const engine = specEngine();
    await expect(engine.templates.setBaseline([ACTIVATED, { name: 'BAD', language: 'en', text: 'x' }])).rejects.toThrow(/BAD/);
    expect(await engine.templates.list()).toEqual([]);
  });

  it.each([
    ['EN', 'en'],
    ['ru', 'ru'],
    ['pt-br', 'pt_BR'],
    ['fil', 'fil'],
    ['e', null],
    ['en_USA', null],
    ['12', null],
  ])('normalises the language code %s as %s', (code, expected) => {
    expect(normalizeLanguage(code)).toBe(expected);
  });
});
