import { formatReceivedDate, formatSentDate } from './wamessenger.mapper.js';

/** The plain way to write Tehran time (+03:30), which the mapper's faster formatter must match. */
function viaIso(ms: number, separator: string): string {
  const iso = new Date(ms + 3.5 * 3600_000).toISOString();
  return `${iso.slice(0, 10).replaceAll('-', separator)} ${iso.slice(11, 19)}`;
}

describe('WaMessenger dates', () => {
  it("writes the seed's examples", () => {
    expect(formatSentDate(Date.UTC(2022, 7, 29, 18, 22, 5))).toBe('2022-08-29 21:52:05');
    expect(formatReceivedDate(Date.UTC(2022, 7, 29, 18, 24, 18, 999))).toBe('2022/08/29 21:54:18');
  });

  it('matches Date#toISOString across days, midnights and years, in any order', () => {
    const midnightTehran = Date.UTC(2026, 11, 31, 20, 30);
    const times = [midnightTehran - 1, midnightTehran, midnightTehran + 999, Date.UTC(2024, 1, 29, 12), 0];
    let state = 7;
    for (let n = 0; n < 5_000; n++) {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      times.push(Date.UTC(2020, 0, 1) + state * 1_000 + (state % 1_000));
    }
    for (const ms of times) {
      expect(formatSentDate(ms)).toBe(viaIso(ms, '-'));
      expect(formatReceivedDate(ms)).toBe(viaIso(ms, '/'));
    }
  });
});
