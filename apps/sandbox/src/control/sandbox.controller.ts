import { Controller, Get, GoneException, HttpCode, Inject, NotFoundException, Param, Post, Res, UsePipes } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { open, readdir, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { MAGIC_NUMBERS, WhatsAppEngine } from '#engine';
import type { RequestJournalRepository } from '#http';
import { projectRoot } from '../paths.js';
import { SANDBOX_CONFIG } from '../engine.module.js';
import { SANDBOX_APIS } from '../relay/relay.module.js';
import { REQUEST_JOURNAL } from '../request-journal.module.js';
import type { SandboxConfig } from '../config.js';
import { SANDBOX_VERSION } from '../version.js';
import { ClockStateDto } from './control.dto.js';
import { controlValidation } from './control.validation.js';
import { LiveEvents } from './live-events.js';

/** Uploads kept on disk, and media downloads under way or waiting for a slot. */
interface MediaUsage {
  keptFiles: number;
  keptBytes: number;
  fetching: number;
  waitingToFetch: number;
}

@ApiTags('sandbox')
@UsePipes(controlValidation)
@Controller('__sandbox')
export class SandboxController {
  private readonly mediaDir = join(projectRoot(), 'fixtures', 'media');

  constructor(
    private readonly engine: WhatsAppEngine,
    @Inject(SANDBOX_CONFIG) private readonly config: SandboxConfig,
    @Inject(REQUEST_JOURNAL) private readonly journal: RequestJournalRepository,
    private readonly live: LiveEvents,
  ) {}

  @Get('health')
  @ApiOperation({ summary: 'Is this a wa-sandbox, and which providers does it serve' })
  health(): { status: string; version: string; providers: string[]; apis: string[]; strictAccounts: boolean; clock: ClockStateDto; media: MediaUsage } {
    const { files, bytes } = this.engine.mediaFiles.usage();
    const { running, waiting } = this.engine.mediaInspector.fetches();
    return {
      status: 'ok',
      version: SANDBOX_VERSION,
      providers: this.engine.providers,
      apis: SANDBOX_APIS,
      strictAccounts: this.config.strictAccounts !== undefined,
      clock: this.engine.clock.state(),
      media: { keptFiles: files, keptBytes: bytes, fetching: running, waitingToFetch: waiting },
    };
  }

  @Post('reset')
  @HttpCode(200)
  @ApiOperation({ summary: 'Forget every account, message, webhook and journal entry; the clock returns to its start' })
  async reset(): Promise<{ reset: boolean }> {
    await this.engine.reset();
    await this.journal.clear();
    this.live.publish({ type: 'reset' });
    return { reset: true };
  }

  @Get('magic-numbers')
  @ApiOperation({ summary: 'Recipient numbers whose last six digits choose a behaviour' })
  magicNumbers() {
    return { numbers: MAGIC_NUMBERS };
  }

  @Get('media')
  @ApiOperation({ summary: 'The sample media files a virtual customer can send, with their urls' })
  async samples(): Promise<{ files: Array<{ name: string; url: string }> }> {
    const names = (await readdir(this.mediaDir)).filter((name) => name.startsWith('sample')).sort();
    return { files: names.map((name) => ({ name, url: `${this.config.publicUrl}/__sandbox/media/${name}` })) };
  }

  @Get('media/uploads/:id')
  @ApiOperation({ summary: 'A file a client uploaded (multipart, base64) with a message; 410 once it has been evicted' })
  async upload(@Param('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    const media = await this.engine.messages.upload(id);
    if (!media) throw new NotFoundException('no such upload');
    // The record outlives its bytes (and a restart): a known upload without a file was evicted.
    const kept = this.engine.mediaFiles.find(id);
    const evicted = new GoneException('the upload was evicted: the sandbox keeps uploads within --media-max-bytes and --media-max-age');
    if (!kept) throw evicted;
    // Opened before answering: a file evicted in between is a clean 410, not a stream failing mid-answer.
    let file: FileHandle;
    try {
      file = await open(kept.path, 'r');
    } catch {
      throw evicted;
    }
    reply.type(media.mime).header('content-length', kept.size).send(file.createReadStream());
  }

  @Get('media/:file')
  @ApiOperation({ summary: 'Sample media files (what virtual customers send)' })
  async media(@Param('file') file: string, @Res() reply: FastifyReply): Promise<void> {
    if (!/^[\w.-]+$/.test(file)) throw new NotFoundException('no such sample file');
    const bytes = await readFile(join(this.mediaDir, file)).catch(() => {
      throw new NotFoundException('no such sample file');
    });
    reply.type('application/octet-stream').send(bytes);
  }
}
