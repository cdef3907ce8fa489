import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { TEMPLATE_BODY_MAX_LENGTH, type MessageTemplate } from '#engine';

export class PutTemplateDto {
  @ApiProperty({
    example: 'Your account is activated. Support: {{1}}, site: {{2}}',
    description: `The body text; {{1}}…{{n}} are its parameters, numbered without gaps (at most ${TEMPLATE_BODY_MAX_LENGTH} characters).`,
  })
  @IsString()
  @MinLength(1)
  @MaxLength(TEMPLATE_BODY_MAX_LENGTH)
  text!: string;
}

export class TemplateDto {
  @ApiProperty({ example: 'account_activated', description: 'Lowercase letters, digits and underscores (Meta’s rule).' }) name!: string;
  @ApiProperty({ example: 'ru', description: 'Normalised language or locale: en, ru, pt_BR.' }) language!: string;
  @ApiProperty({ example: 'Ваш аккаунт активирован. Служба поддержки: {{1}}, сайт: {{2}}' }) text!: string;
  @ApiProperty({ example: 2, description: 'How many parameters a send must give (keys "1"…"n").' }) parameterCount!: number;
  @ApiProperty() updatedAt!: string;

  static of(template: MessageTemplate): TemplateDto {
    return {
      name: template.name,
      language: template.language,
      text: template.text,
      parameterCount: template.parameterCount,
      updatedAt: new Date(template.updatedAt).toISOString(),
    };
  }
}

export class RemovedTemplatesDto {
  @ApiProperty({ example: 1, description: 'How many (name, language) templates were removed.' }) removed!: number;
}
