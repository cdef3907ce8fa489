import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNumber, IsOptional, IsPositive, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';
import { parseAccountId, type Account, type Message, type RequestRecord, type WebhookAttempt } from '#engine';

const MESSAGE_STATUSES = ['queued', 'sent', 'delivered', 'read', 'failed', 'received'] as const;

export class ClockStateDto {
  @ApiProperty({ enum: ['real', 'manual'] }) mode!: string;
  @ApiProperty({ example: 1 }) speed!: number;
  @ApiProperty({ example: '2026-01-01T00:00:00.000Z' }) now!: string;
  @ApiProperty({ example: 1767225600000 }) nowMs!: number;
  @ApiProperty({ description: 'Tasks waiting on the clock (delivery steps, retries, sends).' }) scheduled!: number;
}

export class SetClockDto {
  @ApiPropertyOptional({ enum: ['real', 'manual'] })
  @IsOptional()
  @IsIn(['real', 'manual'])
  mode?: 'real' | 'manual';

  @ApiPropertyOptional({ example: 60, description: 'Real-clock speed factor.' })
  @IsOptional()
  @IsNumber()
  @IsPositive()
  @Max(1_000_000)
  speed?: number;
}

export class AdvanceClockDto {
  @ApiProperty({ example: 30000, description: 'Milliseconds of clock time to move forward (at most 400 days).' })
  @IsInt()
  @Min(0)
  @Max(400 * 24 * 3600 * 1000)
  ms!: number;
}

export class InboundMessageDto {
  @ApiProperty({ example: '989121234567', description: "The customer's number." })
  @IsString()
  @Matches(/^\+?\d{8,15}$/, { message: 'from must be a phone number (8-15 digits)' })
  from!: string;

  @ApiPropertyOptional({ example: 'Hello!' })
  @ValidateIf((dto: InboundMessageDto) => dto.mediaUrl === undefined)
  @IsString()
  text?: string;

  @ApiPropertyOptional({ example: 'http://localhost:4000/__sandbox/media/sample.jpg', description: 'Makes it a file message.' })
  @IsOptional()
  @IsString()
  mediaUrl?: string;

  @ApiPropertyOptional({ description: "The customer's profile name (default: a stable made-up name)." })
  @IsOptional()
  @IsString()
  profileName?: string;
}

export class InboundResultDto {
  @ApiProperty() received!: boolean;
  @ApiPropertyOptional() messageId?: string;
  @ApiPropertyOptional() reason?: string;
}

export class ForceStatusDto {
  @ApiProperty({ enum: MESSAGE_STATUSES })
  @IsIn(MESSAGE_STATUSES)
  status!: (typeof MESSAGE_STATUSES)[number];

  @ApiPropertyOptional({ description: 'Failure reason, with status failed.' })
  @IsOptional()
  @IsString()
  reason?: string;
}

export class RequestMatchDto {
  @ApiPropertyOptional({ example: 'POST' }) @IsOptional() @IsString() method?: string;
  @ApiPropertyOptional({ example: '/wamessenger/sendMessage/KEY' }) @IsOptional() @IsString() path?: string;
  @ApiPropertyOptional({ example: '^/wamessenger/sendMessage/' }) @IsOptional() @IsString() pathPattern?: string;
  @ApiPropertyOptional({ example: 'wamessenger' }) @IsOptional() @IsString() provider?: string;
}

export class StatusChangeDto {
  @ApiProperty() status!: string;
  @ApiProperty() at!: string;
}

export class MessageDto {
  @ApiProperty() id!: string;
  @ApiProperty() provider!: string;
  @ApiProperty() accountKey!: string;
  @ApiProperty({ enum: ['outbound', 'inbound'] }) direction!: string;
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty() text!: string;
  @ApiProperty({ nullable: true, type: String }) mediaUrl!: string | null;
  @ApiProperty({ enum: MESSAGE_STATUSES }) status!: string;
  @ApiProperty({ nullable: true, type: String }) failureReason!: string | null;
  @ApiProperty({ nullable: true, type: String }) profileName!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: [StatusChangeDto] }) history!: StatusChangeDto[];

  static of(message: Message): MessageDto {
    const { provider, key: accountKey } = parseAccountId(message.accountId);
    return {
      id: message.id,
      provider,
      accountKey,
      direction: message.direction,
      from: message.from,
      to: message.to,
      text: message.text,
      mediaUrl: message.mediaUrl,
      status: message.status,
      failureReason: message.failureReason,
      profileName: message.profileName,
      createdAt: iso(message.createdAt),
      history: message.history.map((change) => ({ status: change.status, at: iso(change.at) })),
    };
  }
}

export class AccountDto {
  @ApiProperty() provider!: string;
  @ApiProperty() key!: string;
  @ApiProperty() linePhone!: string;
  @ApiProperty({ example: { receive: false, sendSeen: false }, description: 'Feature switches as they stand now.' })
  features!: Record<string, boolean>;
  @ApiProperty({ nullable: true, type: String }) webhookUrl!: string | null;
  @ApiProperty() createdAt!: string;

  static of(account: Account, features: Record<string, boolean>): AccountDto {
    return { provider: account.provider, key: account.key, linePhone: account.linePhone, features, webhookUrl: account.webhookUrl, createdAt: iso(account.createdAt) };
  }
}

export class WebhookAttemptDto {
  @ApiProperty() eventId!: string;
  @ApiProperty() provider!: string;
  @ApiProperty() accountKey!: string;
  @ApiProperty() url!: string;
  @ApiProperty() at!: string;
  @ApiProperty() ok!: boolean;
  @ApiProperty({ nullable: true, type: Number }) status!: number | null;
  @ApiProperty() latencyMs!: number;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty({ description: 'The payload as sent.' }) body!: unknown;

  static of(attempt: WebhookAttempt): WebhookAttemptDto {
    const { provider, key: accountKey } = parseAccountId(attempt.accountId);
    return { eventId: attempt.eventId, provider, accountKey, url: attempt.url, at: iso(attempt.at), ok: attempt.ok, status: attempt.status, latencyMs: attempt.latencyMs, error: attempt.error, body: attempt.body };
  }
}

export class RequestRecordDto {
  @ApiProperty() id!: number;
  @ApiProperty() at!: string;
  @ApiProperty() method!: string;
  @ApiProperty() path!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ nullable: true, type: String }) provider!: string | null;
  @ApiProperty() status!: number;
  @ApiProperty() durationMs!: number;

  static of(record: RequestRecord): RequestRecordDto {
    return { ...record, at: iso(record.at) };
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
