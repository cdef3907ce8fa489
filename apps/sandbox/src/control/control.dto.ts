import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayNotEmpty,
  IsArray,
  IsIn,
  IsInt,
  IsLatitude,
  IsLongitude,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { parseAccountId, type Account, type Message, type QrCode, type Session, type WebhookAttempt } from '#engine';
import type { RequestRecord } from '#http';

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

export class GeoLocationDto {
  @ApiProperty({ example: 55.7558 }) @IsLatitude() latitude!: number;
  @ApiProperty({ example: 37.6173 }) @IsLongitude() longitude!: number;
  @ApiPropertyOptional({ example: 'Red Square' }) @IsOptional() @IsString() name?: string;
  @ApiPropertyOptional({ example: 'Moscow, Russia' }) @IsOptional() @IsString() address?: string;
}

export class ContactCardDto {
  @ApiProperty({ example: 'Ivan Petrov' }) @IsString() name!: string;

  @ApiProperty({ example: ['79161234567'] })
  @IsArray()
  @ArrayNotEmpty()
  @Matches(/^\+?\d{8,15}$/, { each: true, message: 'phones must be phone numbers (8-15 digits)' })
  phones!: string[];
}

export class InboundMessageDto {
  @ApiProperty({ example: '989121234567', description: "The customer's number." })
  @IsString()
  @Matches(/^\+?\d{8,15}$/, { message: 'from must be a phone number (8-15 digits)' })
  from!: string;

  @ApiPropertyOptional({ example: 'Hello!' })
  @ValidateIf((dto: InboundMessageDto) => dto.mediaUrl === undefined && dto.location === undefined && dto.contacts === undefined)
  @IsString()
  text?: string;

  @ApiPropertyOptional({ example: 'maytapi-s1', description: "The session (a provider's phone or device) it arrives on; the account's own line when absent." })
  @IsOptional()
  @IsString()
  session?: string;

  @ApiPropertyOptional({ type: GeoLocationDto, description: 'Makes it a location message.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => GeoLocationDto)
  location?: GeoLocationDto;

  @ApiPropertyOptional({ type: [ContactCardDto], description: 'Makes it a contacts message.' })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ValidateNested({ each: true })
  @Type(() => ContactCardDto)
  contacts?: ContactCardDto[];

  @ApiPropertyOptional({ example: 'http://localhost:4000/__sandbox/media/sample.jpg', description: 'Makes it a file message.' })
  @IsOptional()
  @IsString()
  mediaUrl?: string;

  @ApiPropertyOptional({ description: "The customer's profile name (default: a stable made-up name)." })
  @IsOptional()
  @IsString()
  profileName?: string;

  @ApiPropertyOptional({
    example: '905309876543-1767258000@g.us',
    description: 'A group of the session the customer writes in (they must be a member); `@<number>` in the text mentions a member.',
  })
  @IsOptional()
  @Matches(/^\d+(-\d+)?@g\.us$/, { message: 'group must be a group id (…@g.us)' })
  group?: string;

  @ApiPropertyOptional({ description: 'The id of the message the customer replies to (quotes).' })
  @IsOptional()
  @IsString()
  replyTo?: string;
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

  @ApiPropertyOptional({
    example: '2009',
    description: "With status failed: one of the provider's own failure codes, reported in its webhooks (Devino's 2000–2313).",
  })
  @IsOptional()
  @IsString()
  code?: string;
}

export class SetWebhookDto {
  @ApiProperty({ nullable: true, type: String, example: 'http://127.0.0.1:9000/hook', description: 'null removes it.' })
  @ValidateIf((_dto, value) => value !== null)
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  url!: string | null;
}

export class SetLimitsDto {
  @ApiPropertyOptional({ nullable: true, type: Number, example: 30, description: 'Outbound messages per clock day; null lifts the cap.' })
  @IsOptional()
  @ValidateIf((_dto, value) => value !== null)
  @IsInt()
  @Min(0)
  dailyMessages?: number | null;

  @ApiPropertyOptional({ nullable: true, type: Number, example: 15, description: 'Outbound messages per clock second; null lifts the cap.' })
  @IsOptional()
  @ValidateIf((_dto, value) => value !== null)
  @IsInt()
  @Min(0)
  perSecond?: number | null;

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    example: 0,
    description: 'Messages the account can still pay for (of the kinds its provider bills); null = unmetered.',
  })
  @IsOptional()
  @ValidateIf((_dto, value) => value !== null)
  @IsInt()
  @Min(0)
  balance?: number | null;
}

export class ScanDto {
  @ApiPropertyOptional({ example: '79161234567', description: 'The number of the phone that scans (default: a stable made-up number).' })
  @IsOptional()
  @Matches(/^\d{8,15}$/, { message: 'phone must be a phone number (8-15 digits, no +)' })
  phone?: string;
}

export class PairDto {
  @ApiProperty({ example: 'ABCD-EFGH', description: 'The pairing code as typed on the phone (dash optional).' })
  @IsString()
  code!: string;

  @ApiPropertyOptional({ example: '905321234567', description: 'The phone typing it; must be the number the code was issued for.' })
  @IsOptional()
  @Matches(/^\d{8,15}$/, { message: 'phone must be a phone number (8-15 digits, no +)' })
  phone?: string;
}

export class QrCodeDto {
  @ApiProperty({ description: 'What the QR image encodes.' }) payload!: string;
  @ApiProperty({ nullable: true, type: String, description: 'When the next code replaces it; null when the transport does not say (a live session).' })
  rotatesAt!: string | null;
}

export class PairingDto {
  @ApiProperty({ example: 'ABCDEFGH' }) code!: string;
  @ApiProperty() phone!: string;
  @ApiProperty() expiresAt!: string;
}

/** Linking an account whose provider has no session API to a phone. */
export class LinkDto {
  @ApiPropertyOptional({ example: '79160000123', description: 'Link by pairing code instead of a QR scan: the phone that types the code.' })
  @IsOptional()
  @Matches(/^\d{8,15}$/, { message: 'phone must be a phone number (8-15 digits, no +)' })
  phone?: string;

  @ApiPropertyOptional({
    example: 'simulated',
    description:
      "The transport that holds the link (`simulated`, `relay` with `device`, or `live` when the sandbox runs one); the sandbox's default when absent.",
  })
  @IsOptional()
  @IsString()
  via?: string;

  @ApiPropertyOptional({
    example: 'relay-4f1c2a9b0d3e',
    description: 'With `"via": "relay"` (implied): the relay phone (POST /__sandbox/relay/devices) that relays the account from now on.',
  })
  @IsOptional()
  @IsString()
  device?: string;
}

export class SessionDto {
  @ApiProperty({ example: 'maytapi-s1' }) id!: string;
  @ApiProperty() provider!: string;
  @ApiProperty() accountKey!: string;
  @ApiProperty({ description: "The provider's own id for it (Maytapi phone id, Wamessage registration id)." }) label!: string;
  @ApiProperty({ example: 'simulated', description: 'The transport holding its link to WhatsApp; the control API plays the phone of simulated ones only.' })
  transport!: string;
  @ApiProperty({ enum: ['qr', 'loading', 'connected', 'disconnected'] }) state!: string;
  @ApiProperty() stateSince!: string;
  @ApiProperty({ nullable: true, type: String, description: 'The linked WhatsApp number.' }) phone!: string | null;
  @ApiProperty({ nullable: true, type: String }) linkedAt!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: QrCodeDto, description: 'The QR code on screen, in state qr.' }) qr!: QrCodeDto | null;
  @ApiProperty({ nullable: true, type: PairingDto, description: 'A pairing code waiting to be typed.' }) pairing!: PairingDto | null;

  static of(session: Session, qr: QrCode | null): SessionDto {
    const { provider, key: accountKey } = parseAccountId(session.accountId);
    return {
      id: session.id,
      provider,
      accountKey,
      label: session.label,
      transport: session.transport,
      state: session.state,
      stateSince: iso(session.stateSince),
      phone: session.phone,
      linkedAt: session.linkedAt === null ? null : iso(session.linkedAt),
      createdAt: iso(session.createdAt),
      qr: qr && { payload: qr.payload, rotatesAt: qr.rotatesAt === null ? null : iso(qr.rotatesAt) },
      pairing: session.pairing && { code: session.pairing.code, phone: session.pairing.phone, expiresAt: iso(session.pairing.expiresAt) },
    };
  }
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
  @ApiProperty({ description: 'The line: the account itself, or the id of one of its sessions.' }) lineId!: string;
  @ApiProperty({ enum: ['outbound', 'inbound'] }) direction!: string;
  @ApiProperty({ example: 'text' }) kind!: string;
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty() text!: string;
  @ApiProperty({ nullable: true, type: String }) mediaUrl!: string | null;
  @ApiProperty({ enum: MESSAGE_STATUSES }) status!: string;
  @ApiProperty({ nullable: true, type: String, example: 'no_whatsapp' }) failureCode!: string | null;
  @ApiProperty({ nullable: true, type: String }) failureReason!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: '2009',
    description: "The provider's own failure code, when one was forced or only the provider knows it.",
  })
  providerFailureCode!: string | null;
  @ApiProperty({ nullable: true, type: String }) profileName!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: String, description: 'For a scheduled send: when it joins the send queue.' }) sendAt!: string | null;
  @ApiProperty({ type: [StatusChangeDto] }) history!: StatusChangeDto[];
  @ApiPropertyOptional({
    example: { rule: 'c1', fault: 'stuck', stuckAt: 'sent' },
    description: 'The chaos rule that failed the delivery, or holds it at stuckAt.',
  })
  chaos?: { rule: string; fault: string; stuckAt?: string };

  static of(message: Message): MessageDto {
    const { provider, key: accountKey } = parseAccountId(message.accountId);
    return {
      id: message.id,
      provider,
      accountKey,
      lineId: message.lineId,
      direction: message.direction,
      kind: message.kind,
      from: message.from,
      to: message.to,
      text: message.text,
      mediaUrl: message.mediaUrl,
      status: message.status,
      failureCode: message.failure?.code ?? null,
      failureReason: message.failure?.reason ?? null,
      providerFailureCode: message.failure?.providerCode ?? null,
      profileName: message.profileName,
      createdAt: iso(message.createdAt),
      sendAt: message.sendAt === null ? null : iso(message.sendAt),
      history: message.history.map((change) => ({ status: change.status, at: iso(change.at) })),
      ...(message.chaos ? { chaos: message.chaos } : {}),
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
  @ApiProperty({ example: { dailyMessages: 30, perSecond: null, balance: null }, description: 'Send caps and balance; null = none.' })
  limits!: { dailyMessages: number | null; perSecond: number | null; balance: number | null };
  @ApiProperty() createdAt!: string;

  static of(account: Account, features: Record<string, boolean>): AccountDto {
    return {
      provider: account.provider,
      key: account.key,
      linePhone: account.linePhone,
      features,
      webhookUrl: account.webhookUrl,
      limits: account.limits,
      createdAt: iso(account.createdAt),
    };
  }
}

export class ChaosMarkDto {
  @ApiProperty({ example: 'c1' }) rule!: string;
  @ApiProperty({ example: 'error', description: "The fault's type." }) fault!: string;
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
  @ApiPropertyOptional({ type: () => ChaosMarkDto, description: 'The chaos rule that duplicated, delayed, reordered or dropped this attempt.' })
  chaos?: ChaosMarkDto;

  static of(attempt: WebhookAttempt): WebhookAttemptDto {
    const { provider, key: accountKey } = parseAccountId(attempt.accountId);
    return {
      eventId: attempt.eventId,
      provider,
      accountKey,
      url: attempt.url,
      at: iso(attempt.at),
      ok: attempt.ok,
      status: attempt.status,
      latencyMs: attempt.latencyMs,
      error: attempt.error,
      body: attempt.body,
      ...(attempt.chaos ? { chaos: attempt.chaos } : {}),
    };
  }
}

export class RequestRecordDto {
  @ApiProperty() id!: number;
  @ApiProperty() at!: string;
  @ApiProperty() method!: string;
  @ApiProperty() path!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ nullable: true, type: String }) provider!: string | null;
  @ApiProperty({ description: '0 when no answer was sent (a chaos timeout the client gave up on, or a reset).' }) status!: number;
  @ApiProperty() durationMs!: number;
  @ApiPropertyOptional({ type: () => ChaosMarkDto, description: 'The chaos rule that answered this request.' }) chaos?: ChaosMarkDto;

  static of(record: RequestRecord): RequestRecordDto {
    return { ...record, at: iso(record.at) };
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** An account's link session, with its QR code as an image to scan and the pairing code asked for. */
export class LinkStateDto extends SessionDto {
  @ApiProperty({ nullable: true, type: String, description: 'The QR code on screen as a PNG data URL, to scan with the phone; null off the QR screen.' })
  qrImage!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'ABCDEFGH', description: 'The code to type on the phone, when a phone was given.' })
  pairingCode!: string | null;
}
