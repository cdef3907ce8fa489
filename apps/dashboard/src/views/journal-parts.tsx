import type { ChaosMark } from '../api';

/** Marks a journal entry or a message a chaos rule touched, naming the rule and its fault. */
export function ChaosBadge({ chaos }: { chaos: ChaosMark | undefined }) {
  if (!chaos) return null;
  return (
    <span class="badge chaos" title={`chaos rule ${chaos.rule}`}>
      chaos {chaos.rule}: {chaos.fault}
      {chaos.stuckAt ? ` at ${chaos.stuckAt}` : ''}
    </span>
  );
}

export function StatusCode({ status, ok }: { status: number | null; ok: boolean }) {
  return <span class={`badge ${ok ? 'ok' : 'bad'}`}>{status ?? 'no answer'}</span>;
}
