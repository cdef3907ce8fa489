import { Injectable } from '@nestjs/common';
import { WhatsAppEngine, type Account, type Session } from '#engine';
import { tokenIssuerOf, userOf } from './wamessage.access.js';
import { hashPassword, type TokenIssuer, verifyPassword } from './wamessage.auth.js';
import { ALL_PAGES, DEVICES_PAGE_SIZE, type Credentials, type LogoutInput, type RegisterInput, type SendInput } from './wamessage.dto.js';
import { badRequest, conflict, DEVICE_NOT_FOUND, notFound, unauthorized, wamessageError } from './wamessage.errors.js';
import { formatTurkeyTime, linkStateOf, ok, SENT_DESCRIPTION, toDevice, toSent, type DeviceRecord } from './wamessage.mapper.js';
import { WAMESSAGE, WAMESSAGE_MEDIA_POLICY, WAMESSAGE_USER, type UserState } from './wamessage.profile.js';

/** Inferred: the seed's example registration id has seven digits. */
const FIRST_REGISTRATION_ID = 1_000_001;
const FIRST_USER_ID = 1;

/** Wamessage's users, devices and sends as engine calls. Input arrives parsed; output leaves in wire shape. */
@Injectable()
export class WamessageService {
  private readonly tokens: TokenIssuer;

  constructor(private readonly engine: WhatsAppEngine) {
    this.tokens = tokenIssuerOf(engine);
  }

  async register(input: RegisterInput) {
    if (await this.engine.accounts.find(WAMESSAGE, input.phone)) {
      throw conflict('Bu telefon numarası zaten kayıtlı', `a user with phone ${input.phone} already exists`);
    }
    const settings: UserState = {
      userId: await this.engine.nextNumber(WAMESSAGE, 'user', FIRST_USER_ID),
      passwordHash: await hashPassword(input.password),
      name: input.name,
      email: input.email,
      devices: {},
    };
    const result = await this.engine.accounts.register(WAMESSAGE, input.phone, WAMESSAGE_USER.write(settings));
    if (!result.ok) {
      if (await this.engine.accounts.find(WAMESSAGE, input.phone)) throw conflict('Bu telefon numarası zaten kayıtlı', result.reason);
      throw wamessageError(403, 'Bu telefon numarası ile kayıt yapılamaz', result.reason);
    }
    return ok('Kayıt başarılı', { user_id: settings.userId, phone: input.phone, name: input.name, email: input.email }, 201);
  }

  async login(credentials: Credentials) {
    const account = await this.engine.accounts.find(WAMESSAGE, credentials.phone);
    const user = account ? userOf(account) : undefined;
    // The password is checked even for an unknown phone, so the answer's timing does not tell which it was.
    const matches = await verifyPassword(credentials.password, user?.passwordHash);
    if (!account || !user || !matches) {
      throw unauthorized('Telefon numarası veya şifre hatalı', account ? 'wrong password' : `no user with phone ${credentials.phone}`);
    }
    const { token, expiresAt } = await this.tokens.issue({ user_id: user.userId, phone: account.key });
    const data = {
      token,
      token_type: 'Bearer',
      expires_in: this.tokens.ttlSeconds,
      expires_at: formatTurkeyTime(expiresAt),
      user_id: user.userId,
      phone: account.key,
    };
    const { status, code, description } = ok('Giriş başarılı', data);
    return { status, code, description, token, data };
  }

  /**
   * A pairing code for `phone`. A second call for a phone still waiting for its code gives a new code for
   * the same registration id (the old code stops working); a phone already linked is refused.
   */
  async requestCode(account: Account, phone: string) {
    const sessions = await this.engine.sessions.list(account);
    const linked = sessions.find((session) => session.phone === phone);
    if (linked) {
      throw conflict(
        'Bu numara zaten bağlı',
        `${phone} is already linked as registration id ${linked.label}${registeredDevices(account)[linked.label] ? '' : ' (call logincontrol to register it)'}`,
      );
    }
    const session =
      sessions.find((candidate) => candidate.state === 'qr' && candidate.pairing?.phone === phone) ??
      (await this.engine.sessions.create(account, String(await this.engine.nextNumber(WAMESSAGE, 'registration', FIRST_REGISTRATION_ID))));
    const result = await this.engine.sessions.requestPairingCode(session, phone);
    if (!result.ok) throw conflict('Bu numara zaten bağlı', result.reason);
    const expiresAt = result.session.pairing?.expiresAt ?? this.engine.clock.now();
    return ok('Kod oluşturuldu', { code: result.code, registrationId: Number(session.label), phone, expires_at: formatTurkeyTime(expiresAt) });
  }

  /** Whether the device is linked yet; the first call that sees it connected registers it. */
  async loginControl(account: Account, registrationId: string, phone: string | null) {
    const session = await this.session(account, registrationId);
    const devicePhone = phoneOfDevice(session, registrationId, phone);
    const now = this.engine.clock.now();
    const state = linkStateOf(session, now);
    const data = { registrationId: Number(registrationId), phone: devicePhone, connected: state === 'connected', status: state };
    if (state !== 'connected') {
      const description =
        state === 'code_expired' ? 'Kodun süresi doldu, yeni kod isteyin' : state === 'loading' ? 'Cihaz bağlanıyor' : 'Cihaz henüz bağlanmadı';
      return ok(description, data);
    }
    const linkedPhone = session.phone!;
    await this.updateDevices(account, (devices) =>
      devices[registrationId] ? devices : { ...devices, [registrationId]: { phone: linkedPhone, registeredAt: now } },
    );
    return ok('Cihaz bağlandı', data);
  }

  async devices(account: Account, page: number) {
    const now = this.engine.clock.now();
    const sessions = new Map((await this.engine.sessions.list(account)).map((session) => [session.label, session]));
    const listed = [];
    for (const [registrationId, record] of Object.entries(registeredDevices(account)).sort(([a], [b]) => Number(a) - Number(b))) {
      const session = sessions.get(registrationId);
      if (session) listed.push(toDevice(registrationId, record, session, now));
    }
    const shown = page === ALL_PAGES ? listed : listed.slice((page - 1) * DEVICES_PAGE_SIZE, page * DEVICES_PAGE_SIZE);
    return ok('Cihazlar listelendi', shown);
  }

  /** Unlinks the device and forgets it: its registration id stops working; sends still scheduled on it fail. */
  async logout(account: Account, input: LogoutInput) {
    const session = await this.session(account, input.registrationId);
    const devicePhone = phoneOfDevice(session, input.registrationId, input.phone);
    // Logged out first, so the change is announced like any unlinking, then forgotten with its registration id.
    await this.engine.sessions.logout(session);
    await this.engine.sessions.remove(session);
    await this.updateDevices(account, (devices) => Object.fromEntries(Object.entries(devices).filter(([id]) => id !== input.registrationId)));
    return ok('Oturum kapatıldı', { registrationId: Number(input.registrationId), phone: devicePhone });
  }

  async send(account: Account, input: SendInput) {
    if (!registeredDevices(account)[input.registrationId]) {
      throw notFound(DEVICE_NOT_FOUND, `registration id ${input.registrationId} is not one of this user's devices (link it, then call logincontrol)`);
    }
    const session = await this.session(account, input.registrationId);
    const result = await this.engine.messages.send(account, {
      recipients: input.contacts,
      text: input.message,
      ...(input.upload ? { mediaUpload: input.upload } : {}),
      ...(input.mediaUrl ? { mediaUrl: input.mediaUrl } : {}),
      mediaPolicy: WAMESSAGE_MEDIA_POLICY,
      sessionId: session.id,
      ...(input.sendAt !== null ? { sendAt: input.sendAt } : {}),
      providerData: { reg_id: input.registrationId, send_speed: input.sendSpeed },
    });
    if (!result.ok) {
      switch (result.code) {
        case 'send_time_past':
          throw badRequest('Gönderim zamanı geçmiş bir tarih olamaz', `${result.reason} (send_time is read in Turkey time, UTC+3)`);
        case 'session_not_ready':
          throw conflict('Cihaz bağlı değil', result.reason);
        case 'daily_limit':
        case 'rate_limited':
          throw wamessageError(429, 'Gönderim limiti aşıldı', result.reason);
        case 'media_rejected': {
          const code = result.media && !result.media.ok ? result.media.code : undefined;
          const description =
            code === 'too_large' ? 'Dosya boyutu sınırı aşıyor' : code === 'unsupported_format' ? 'Dosya türü desteklenmiyor' : 'Dosya gönderilemiyor';
          throw badRequest(description, result.reason);
        }
      }
    }
    const first = result.messages[0]!;
    return ok(SENT_DESCRIPTION, {
      reg_id: Number(input.registrationId),
      contacts: input.contactsAsSent,
      message: input.message,
      send_time: first.sendAt === null ? null : formatTurkeyTime(first.sendAt),
      send_speed: input.sendSpeed,
      file:
        first.mediaUrl === null
          ? null
          : { name: first.media?.fileName ?? null, mime: first.media?.mime ?? null, size: first.media?.size ?? null, url: first.mediaUrl },
      messages: result.messages.map(toSent),
    });
  }

  /** One of the user's sessions by registration id; another user's id is as unknown as a made-up one. */
  private async session(account: Account, registrationId: string): Promise<Session> {
    const session = await this.engine.sessions.findByLabel(account, registrationId);
    if (!session) throw notFound(DEVICE_NOT_FOUND, `registration id ${registrationId} is not one of this user's devices`);
    return session;
  }

  /** Changes the registered devices on a fresh read of the account: another request may have changed them since. */
  private async updateDevices(account: Account, change: (devices: Record<string, DeviceRecord>) => Record<string, DeviceRecord>): Promise<void> {
    const current = (await this.engine.accounts.find(WAMESSAGE, account.key)) ?? account;
    await this.engine.accounts.updateState(current, WAMESSAGE_USER, { devices: change(registeredDevices(current)) });
  }
}

/** The device's number (linked, or waiting for its code), refused when the caller names another one. */
function phoneOfDevice(session: Session, registrationId: string, claimed: string | null): string | null {
  const devicePhone = session.phone ?? session.pairing?.phone ?? null;
  if (claimed !== null && devicePhone !== null && claimed !== devicePhone) {
    throw badRequest('Telefon numarası cihazla eşleşmiyor', `registration id ${registrationId} belongs to ${devicePhone}, not ${claimed}`);
  }
  return devicePhone;
}

function registeredDevices(account: Account): Record<string, DeviceRecord> {
  return WAMESSAGE_USER.read(account.settings).devices;
}
