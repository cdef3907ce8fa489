import type { ChaosMark } from '../api';

/** Marks a journal entry a chaos rule touched, naming the rule and its fault. */
export function ChaosBadge({ chaos }: { chaos: ChaosMark | undefined }) {
  if (!chaos) return null;
  const { type, ...parameters } = chaos.fault;
  const details = Object.entries(parameters)
    .map(([name, value]) => `${name} ${String(value)}`)
    .join(', ');
  return (
    <span class="badge chaos" title={`chaos rule ${chaos.rule}`}>
      chaos: {type}
      {details ? ` (${details})` : ''}
    </span>
  );
}

export function StatusCode({ status, ok }: { status: number | null; ok: boolean }) {
  return <span class={`badge ${ok ? 'ok' : 'bad'}`}>{status ?? 'no answer'}</span>;
}
