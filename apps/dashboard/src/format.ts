/** Clock time as the page shows it: the sandbox's virtual time, in UTC, which is what its journals record. */
export function time(iso: string): string {
  return iso.slice(11, 19);
}

export function dateTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

export function phone(number: string): string {
  return /^\d+$/.test(number) ? `+${number}` : number;
}

/** Milliseconds as a person reads a span: 1.5 s, 2 min, 3 h, 2 d. */
export function span(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${+(ms / 60_000).toFixed(1)} min`;
  if (ms < 86_400_000) return `${+(ms / 3_600_000).toFixed(1)} h`;
  return `${+(ms / 86_400_000).toFixed(1)} d`;
}
