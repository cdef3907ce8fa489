import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import type { PhoneStatus } from './maytapi.mapper.js';

/** What the phone's browser shows: Maytapi's `screen` is a screenshot of its WhatsApp Web page. */
export interface ScreenView {
  status: PhoneStatus;
  /** The QR code on screen (QR and idle screens). */
  qrPayload: string | null;
  number: string | null;
}

export const SCREEN_WIDTH = 480;
export const SCREEN_HEIGHT = 360;
/** The QR code as `qrCode` serves it: black modules on white, 4 px each, inside the standard 4-module quiet zone. */
export const QR_OPTIONS = { errorCorrectionLevel: 'L', margin: 4, scale: 4 } as const;

export function qrCodePng(payload: string): Buffer {
  const { modules } = QRCode.create(payload, { errorCorrectionLevel: QR_OPTIONS.errorCorrectionLevel });
  const { margin, scale } = QR_OPTIONS;
  const side = (modules.size + 2 * margin) * scale;
  const canvas = new Canvas(side, side);
  canvas.fill(0, 0, side, side, WHITE);
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      if (modules.get(row, col)) canvas.fill((col + margin) * scale, (row + margin) * scale, scale, scale, [0, 0, 0]);
    }
  }
  return canvas.png();
}

type Rgb = readonly [number, number, number];
const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [17, 27, 33];
const TEAL: Rgb = [0, 128, 105];
const GREEN: Rgb = [37, 211, 102];
const PANEL: Rgb = [240, 242, 245];
const CHAT: Rgb = [239, 234, 226];
const GREY: Rgb = [134, 150, 160];
const LIGHT_GREY: Rgb = [209, 215, 219];
const WARNING: Rgb = [255, 232, 163];
const FADED: Rgb = [200, 205, 208];

/** Draws the screen for the phone's state: each state looks different, the QR screen carries the live code. */
export function screenPng(view: ScreenView): Buffer {
  const canvas = new Canvas(SCREEN_WIDTH, SCREEN_HEIGHT);
  switch (view.status) {
    case 'qr-code':
    case 'idle':
      drawQrScreen(canvas, view);
      break;
    case 'loading':
      drawLoading(canvas);
      break;
    case 'active':
      drawChats(canvas, view);
      break;
    case 'phone-error':
    case 'disabled':
      drawDisconnected(canvas, view);
      break;
  }
  return canvas.png();
}

function drawQrScreen(canvas: Canvas, view: ScreenView): void {
  const idle = view.status === 'idle';
  canvas.fill(0, 0, SCREEN_WIDTH, SCREEN_HEIGHT, PANEL);
  canvas.fill(0, 0, SCREEN_WIDTH, 56, TEAL);
  canvas.text('WHATSAPP WEB', 16, 18, 3, WHITE);
  canvas.fill(12, 68, SCREEN_WIDTH - 24, SCREEN_HEIGHT - 80, WHITE);
  if (view.qrPayload) {
    const qr = QRCode.create(view.qrPayload, { errorCorrectionLevel: QR_OPTIONS.errorCorrectionLevel });
    const modules = qr.modules.size;
    const scale = Math.max(1, Math.floor(264 / (modules + 8)));
    const left = 24;
    const top = 68 + Math.floor((SCREEN_HEIGHT - 80 - (modules + 8) * scale) / 2);
    for (let row = 0; row < modules; row++) {
      for (let col = 0; col < modules; col++) {
        if (qr.modules.get(row, col)) canvas.fill(left + (col + 4) * scale, top + (row + 4) * scale, scale, scale, idle ? FADED : BLACK);
      }
    }
  }
  const x = 300;
  canvas.text(idle ? 'QR EXPIRED' : 'SCAN THE', x, 110, 2, BLACK);
  canvas.text(idle ? 'RESTART TO' : 'QR CODE', x, 134, 2, BLACK);
  canvas.text(idle ? 'GET A NEW ONE' : 'WITH YOUR', x, 158, 2, BLACK);
  if (!idle) canvas.text('PHONE', x, 182, 2, BLACK);
  canvas.text(idle ? 'IDLE' : 'QR CODE', x, 300, 2, GREY);
}

function drawLoading(canvas: Canvas): void {
  canvas.fill(0, 0, SCREEN_WIDTH, SCREEN_HEIGHT, PANEL);
  canvas.text('LOADING', 156, 130, 4, GREY);
  canvas.fill(90, 200, 300, 8, LIGHT_GREY);
  canvas.fill(90, 200, 150, 8, GREEN);
  canvas.text('WHATSAPP', 192, 240, 2, GREY);
}

function drawChats(canvas: Canvas, view: ScreenView): void {
  canvas.fill(0, 0, SCREEN_WIDTH, SCREEN_HEIGHT, CHAT);
  canvas.fill(0, 0, 170, SCREEN_HEIGHT, WHITE);
  canvas.fill(0, 0, 170, 48, PANEL);
  canvas.fill(170, 0, SCREEN_WIDTH - 170, 48, PANEL);
  canvas.fill(12, 10, 28, 28, LIGHT_GREY);
  for (let row = 0; row < 5; row++) {
    const y = 62 + row * 58;
    canvas.fill(12, y, 36, 36, LIGHT_GREY);
    canvas.fill(58, y + 6, 90, 8, GREY);
    canvas.fill(58, y + 22, 70, 6, LIGHT_GREY);
  }
  canvas.text('CONNECTED', 220, 140, 3, TEAL);
  if (view.number) canvas.text(`+${view.number}`, 220, 180, 2, BLACK);
}

function drawDisconnected(canvas: Canvas, view: ScreenView): void {
  canvas.fill(0, 0, SCREEN_WIDTH, SCREEN_HEIGHT, PANEL);
  canvas.fill(0, 0, SCREEN_WIDTH, 64, WARNING);
  canvas.text('PHONE NOT CONNECTED', 16, 24, 2, BLACK);
  canvas.text('RETRYING', 144, 150, 4, GREY);
  if (view.number) canvas.text(`+${view.number}`, 144, 200, 2, GREY);
}

/** A 5×7 bitmap font: enough glyphs for status words and phone numbers. */
const GLYPHS: Record<string, string> = {
  A: '01110 10001 10001 11111 10001 10001 10001',
  B: '11110 10001 10001 11110 10001 10001 11110',
  C: '01110 10001 10000 10000 10000 10001 01110',
  D: '11110 10001 10001 10001 10001 10001 11110',
  E: '11111 10000 10000 11110 10000 10000 11111',
  F: '11111 10000 10000 11110 10000 10000 10000',
  G: '01110 10001 10000 10111 10001 10001 01111',
  H: '10001 10001 10001 11111 10001 10001 10001',
  I: '01110 00100 00100 00100 00100 00100 01110',
  J: '00111 00010 00010 00010 00010 10010 01100',
  K: '10001 10010 10100 11000 10100 10010 10001',
  L: '10000 10000 10000 10000 10000 10000 11111',
  M: '10001 11011 10101 10101 10001 10001 10001',
  N: '10001 10001 11001 10101 10011 10001 10001',
  O: '01110 10001 10001 10001 10001 10001 01110',
  P: '11110 10001 10001 11110 10000 10000 10000',
  Q: '01110 10001 10001 10001 10101 10010 01101',
  R: '11110 10001 10001 11110 10100 10010 10001',
  S: '01111 10000 10000 01110 00001 00001 11110',
  T: '11111 00100 00100 00100 00100 00100 00100',
  U: '10001 10001 10001 10001 10001 10001 01110',
  V: '10001 10001 10001 10001 10001 01010 00100',
  W: '10001 10001 10001 10101 10101 10101 01010',
  X: '10001 10001 01010 00100 01010 10001 10001',
  Y: '10001 10001 01010 00100 00100 00100 00100',
  Z: '11111 00001 00010 00100 01000 10000 11111',
  0: '01110 10001 10011 10101 11001 10001 01110',
  1: '00100 01100 00100 00100 00100 00100 01110',
  2: '01110 10001 00001 00010 00100 01000 11111',
  3: '11111 00010 00100 00010 00001 10001 01110',
  4: '00010 00110 01010 10010 11111 00010 00010',
  5: '11111 10000 11110 00001 00001 10001 01110',
  6: '00110 01000 10000 11110 10001 10001 01110',
  7: '11111 00001 00010 00100 01000 01000 01000',
  8: '01110 10001 10001 01110 10001 10001 01110',
  9: '01110 10001 10001 01111 00001 00010 01100',
  '+': '00000 00100 00100 11111 00100 00100 00000',
  '-': '00000 00000 00000 11111 00000 00000 00000',
  ' ': '00000 00000 00000 00000 00000 00000 00000',
};

class Canvas {
  private readonly image: PNG;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.image = new PNG({ width, height });
  }

  fill(x: number, y: number, width: number, height: number, [r, g, b]: Rgb): void {
    const { data } = this.image;
    for (let row = Math.max(0, y); row < Math.min(this.height, y + height); row++) {
      for (let col = Math.max(0, x); col < Math.min(this.width, x + width); col++) {
        const at = (row * this.width + col) * 4;
        data[at] = r;
        data[at + 1] = g;
        data[at + 2] = b;
        data[at + 3] = 255;
      }
    }
  }

  text(text: string, x: number, y: number, scale: number, color: Rgb): void {
    let left = x;
    for (const char of text.toUpperCase()) {
      const rows = (GLYPHS[char] ?? GLYPHS[' ']!).split(' ');
      rows.forEach((bits, row) => {
        for (let col = 0; col < bits.length; col++) if (bits[col] === '1') this.fill(left + col * scale, y + row * scale, scale, scale, color);
      });
      left += 6 * scale;
    }
  }

  png(): Buffer {
    // No per-row filter search: pngjs's adaptive filtering costs seconds per image in some runtimes (Jest's
    // VM modules) and gains little on flat screen colours.
    return PNG.sync.write(this.image, { filterType: 0 });
  }
}
