import type { EngineClock } from '../clock/clock.js';
import type { FailureCode, MessageTemplate } from '../store/models.js';
import type { EngineStore } from '../store/store.js';

/** Meta's limit on a template body, with its parameters filled in. */
export const TEMPLATE_BODY_MAX_LENGTH = 1024;
/** Meta's limit on one text parameter (the Cloud API's TextParameter maxLength). */
export const TEMPLATE_PARAMETER_MAX_LENGTH = 32_768;
/** Meta's limit on a template name. */
export const TEMPLATE_NAME_MAX_LENGTH = 512;

const NAME = /^[a-z0-9_]+$/;
/** `en`, `fil`, `en_US`, `pt-br`: a language, optionally with a region (normalised to `pt_BR`). */
const LANGUAGE = /^([a-z]{2,3})(?:[_-]([a-z]{2}))?$/i;
const PLACEHOLDER = /\{\{\s*(\d+)\s*\}\}/g;
/** What WhatsApp refuses inside a parameter (and Devino's documentation repeats). */
const FORBIDDEN_IN_PARAMETER = /\n|\r|\t| {4}/;

export interface TemplateInput {
  name: string;
  language: string;
  text: string;
}

/** A template as a sender names it: the parameters keyed by position ("1", "2", …). */
export interface TemplateUse {
  name: string;
  language: string;
  params: Record<string, string>;
}

export type TemplateCheckCode = Extract<
  FailureCode,
  'template_not_found' | 'template_language' | 'template_param_count' | 'template_param_too_long' | 'template_param_format' | 'text_too_long'
>;

export type TemplateCheck = { ok: true; template: MessageTemplate; text: string } | { ok: false; code: TemplateCheckCode; reason: string };

/** A template definition the registry refuses (bad name, language or body). */
export class TemplateDefinitionError extends Error {}

/** A state key: the store holds the baseline (then the templates there are the user's to change). */
const BASELINE_STORED = 'templates.baseline-stored';

/**
 * The approved message templates, one per (name, language), kept in the store. Templates loaded at start
 * (fixtures) are the baseline: the sandbox's reset brings exactly those back.
 */
export class TemplateRegistry {
  private baseline: MessageTemplate[] = [];

  constructor(
    private readonly store: EngineStore,
    private readonly clock: EngineClock,
  ) {}

  /** Validates a definition into a template; throws TemplateDefinitionError saying what is wrong. */
  define(input: TemplateInput): MessageTemplate {
    const { name, text } = input;
    if (typeof name !== 'string' || !NAME.test(name) || name.length > TEMPLATE_NAME_MAX_LENGTH) {
      throw new TemplateDefinitionError(`template name ${JSON.stringify(name)} must be 1-${TEMPLATE_NAME_MAX_LENGTH} lowercase letters, digits or underscores`);
    }
    const language = normalizeLanguage(input.language);
    if (!language) throw new TemplateDefinitionError(`language ${JSON.stringify(input.language)} must be a language code such as en, ru or pt_BR`);
    if (typeof text !== 'string' || text.trim() === '') throw new TemplateDefinitionError('the template text must not be empty');
    if (text.length > TEMPLATE_BODY_MAX_LENGTH)
      throw new TemplateDefinitionError(`the template text is ${text.length} characters, the limit is ${TEMPLATE_BODY_MAX_LENGTH}`);
    const positions = [...new Set([...text.matchAll(PLACEHOLDER)].map((match) => Number(match[1])))].sort((a, b) => a - b);
    const gap = positions.findIndex((position, index) => position !== index + 1);
    if (gap !== -1) {
      throw new TemplateDefinitionError(`placeholders must be {{1}}…{{n}} without gaps, the text has ${positions.map((p) => `{{${p}}}`).join(', ')}`);
    }
    return { name, language, text, parameterCount: positions.length, updatedAt: this.clock.now() };
  }

  /** Adds or replaces the template for its (name, language). */
  async put(input: TemplateInput): Promise<MessageTemplate> {
    const template = this.define(input);
    await this.store.templates.save(template);
    return template;
  }

  async get(name: string, language: string): Promise<MessageTemplate | undefined> {
    const normalized = normalizeLanguage(language);
    return normalized ? this.store.templates.get(name, normalized) : undefined;
  }

  async list(): Promise<MessageTemplate[]> {
    return this.store.templates.list();
  }

  /** Every language of one template. */
  async languages(name: string): Promise<MessageTemplate[]> {
    return (await this.store.templates.list()).filter((template) => template.name === name);
  }

  /** Removes one language of a template, or all of them without a language; resolves how many went. */
  async remove(name: string, language?: string): Promise<number> {
    if (language !== undefined) {
      const normalized = normalizeLanguage(language);
      return normalized && (await this.store.templates.delete(name, normalized)) ? 1 : 0;
    }
    let removed = 0;
    for (const template of await this.languages(name)) if (await this.store.templates.delete(template.name, template.language)) removed++;
    return removed;
  }

  /**
   * Replaces the baseline (fixtures loaded at start); a bad definition refuses them all. Stored only in a
   * store that never had it: a restart on a durable store keeps the templates as they were changed and
   * removed since, instead of bringing the fixtures back over them.
   */
  async setBaseline(inputs: TemplateInput[]): Promise<MessageTemplate[]> {
    this.baseline = inputs.map((input) => this.define(input));
    if (!(await this.store.state.get<boolean>(BASELINE_STORED))) await this.restoreBaseline();
    return this.baseline;
  }

  /** Puts the baseline back into the store (after the sandbox's reset emptied it). */
  async restoreBaseline(): Promise<void> {
    for (const template of this.baseline) await this.store.templates.save(template);
    await this.store.state.set(BASELINE_STORED, true);
  }

  /**
   * Judges a template use as WhatsApp would: the template must exist in that language, take exactly the
   * parameters given, and fit in a message once filled in. Resolves the text the customer would read.
   */
  async check(use: TemplateUse): Promise<TemplateCheck> {
    const all = await this.languages(use.name);
    if (all.length === 0) return { ok: false, code: 'template_not_found', reason: `there is no template named ${use.name}` };
    const language = normalizeLanguage(use.language);
    const template = all.find((candidate) => candidate.language === language);
    if (!template) {
      const known = all.map((candidate) => candidate.language).join(', ');
      return { ok: false, code: 'template_language', reason: `template ${use.name} does not exist in language ${use.language} (it exists in ${known})` };
    }
    const expected = Array.from({ length: template.parameterCount }, (_, index) => String(index + 1));
    const given = Object.keys(use.params).sort((a, b) => Number(a) - Number(b));
    if (given.length !== expected.length || given.some((key, index) => key !== expected[index])) {
      return {
        ok: false,
        code: 'template_param_count',
        reason: `template ${use.name} (${template.language}) takes ${template.parameterCount} parameters (${expected.join(', ') || 'none'}), got ${given.length}${given.length ? ` (${given.join(', ')})` : ''}`,
      };
    }
    const badKey = given.find((key) => FORBIDDEN_IN_PARAMETER.test(use.params[key]!));
    if (badKey !== undefined) {
      return { ok: false, code: 'template_param_format', reason: `parameter ${badKey} contains a newline, a tab or four spaces in a row` };
    }
    const longKey = given.find((key) => use.params[key]!.length > TEMPLATE_PARAMETER_MAX_LENGTH);
    if (longKey !== undefined) {
      return {
        ok: false,
        code: 'template_param_too_long',
        reason: `parameter ${longKey} is ${use.params[longKey]!.length} characters, the limit is ${TEMPLATE_PARAMETER_MAX_LENGTH}`,
      };
    }
    const text = template.text.replace(PLACEHOLDER, (_, position: string) => use.params[String(Number(position))]!);
    if (text.length > TEMPLATE_BODY_MAX_LENGTH) {
      return {
        ok: false,
        code: 'text_too_long',
        reason: `with its parameters the text is ${text.length} characters, the limit is ${TEMPLATE_BODY_MAX_LENGTH}`,
      };
    }
    return { ok: true, template, text };
  }
}

/** `EN` → `en`, `en-us` → `en_US`; null when it is not a language code. */
export function normalizeLanguage(code: string): string | null {
  const match = typeof code === 'string' ? LANGUAGE.exec(code.trim()) : null;
  if (!match) return null;
  return match[2] ? `${match[1]!.toLowerCase()}_${match[2].toUpperCase()}` : match[1]!.toLowerCase();
}
