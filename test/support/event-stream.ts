/** One server-sent event: its name and its data parsed as JSON. */
export interface StreamedEvent {
  event: string;
  data: any;
}

/**
 * A client of a server-sent event stream (`GET /__sandbox/events`), as a test reads it: `next` resolves with
 * the first event, already received or still to come, that the predicate accepts (and forgets those before it).
 */
export class EventStream {
  private readonly events: StreamedEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private constructor(private readonly abort: AbortController) {}

  static async open(url: string, headers: Record<string, string> = {}): Promise<EventStream> {
    const abort = new AbortController();
    const response = await fetch(url, { headers, signal: abort.signal });
    if (response.status !== 200 || !response.headers.get('content-type')?.startsWith('text/event-stream')) {
      abort.abort();
      throw new Error(`${url} answered ${response.status} ${response.headers.get('content-type')}`);
    }
    const stream = new EventStream(abort);
    void stream.read(response.body!);
    return stream;
  }

  next(accept: (event: StreamedEvent) => boolean): Promise<StreamedEvent> {
    return new Promise((resolve) => {
      const check = () => {
        const index = this.events.findIndex(accept);
        if (index < 0) return;
        this.waiters.delete(check);
        resolve(this.events.splice(0, index + 1).at(-1)!);
      };
      this.waiters.add(check);
      check();
    });
  }

  close(): void {
    this.abort.abort();
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for await (const chunk of body) {
        buffered += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const fields = new Map(block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trimStart()]));
          if (fields.has('event')) this.events.push({ event: fields.get('event')!, data: JSON.parse(fields.get('data') ?? 'null') });
        }
        for (const waiter of [...this.waiters]) waiter();
      }
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error;
    }
  }
}
