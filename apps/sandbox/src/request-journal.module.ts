import { Global, Module } from '@nestjs/common';
import { MemoryRequestJournal } from '#http';

export const REQUEST_JOURNAL = Symbol('REQUEST_JOURNAL');

/** The journal of provider requests: recorded by the HTTP layer (app.ts), read and cleared by the control API. */
@Global()
@Module({
  providers: [{ provide: REQUEST_JOURNAL, useFactory: () => new MemoryRequestJournal() }],
  exports: [REQUEST_JOURNAL],
})
export class RequestJournalModule {}
