/**
 * `wa-sandbox/testcontainers`: the sandbox's Docker image as a Testcontainers module (testcontainers 11,
 * an optional peer dependency). Ryuk, Testcontainers' clean-up container, is pulled from a registry; where
 * none is reachable, run with TESTCONTAINERS_RYUK_DISABLED=true and stop every container you start.
 */
import { AbstractStartedContainer, GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { ControlClient } from '#conformance';
import { providerBaseUrl, type SandboxAccount } from './urls.js';

/** The port the image listens on (its PORT). */
export const SANDBOX_PORT = 4000;
/** Where `withAccounts` writes the strict-accounts file in the container. */
const ACCOUNTS_FILE = '/tmp/wa-sandbox-accounts.json';

export class WaSandboxContainer extends GenericContainer {
  private accounts: SandboxAccount[] = [];

  /** `image`: a wa-sandbox image, e.g. one built from the repository's Dockerfile (`docker build -t wa-sandbox .`). */
  constructor(image = 'wa-sandbox') {
    super(image);
    this.withExposedPorts(SANDBOX_PORT).withWaitStrategy(Wait.forHttp('/__sandbox/health', SANDBOX_PORT).forStatusCode(200)).withStartupTimeout(60_000);
  }

  /** `manual`: time moves only through `control.advance(ms)`; `real` at `speed` virtual seconds per second. */
  withClock(mode: 'manual' | 'real', speed?: number): this {
    return this.withEnvironment({ CLOCK: mode, ...(speed !== undefined ? { CLOCK_SPEED: String(speed) } : {}) });
  }

  /** Virtual time at start. */
  withClockStart(start: Date | string | number): this {
    return this.withEnvironment({ CLOCK_START: new Date(start).toISOString() });
  }

  withSeed(seed: number): this {
    return this.withEnvironment({ SEED: String(seed) });
  }

  /** Strict mode: only these accounts exist, every other key is refused. */
  withAccounts(accounts: SandboxAccount[]): this {
    this.accounts = accounts.map((account) => ({ ...account }));
    return this.withCopyContentToContainer([{ content: JSON.stringify({ accounts: this.accounts }), target: ACCOUNTS_FILE, mode: 0o444 }]).withEnvironment({
      ACCOUNTS_FILE,
    });
  }

  override async start(): Promise<StartedWaSandboxContainer> {
    return new StartedWaSandboxContainer(await super.start(), this.accounts);
  }
}

export class StartedWaSandboxContainer extends AbstractStartedContainer {
  constructor(
    started: StartedTestContainer,
    private readonly accounts: SandboxAccount[],
  ) {
    super(started);
  }

  /**
   * The control API's client: the clock, virtual customers, message and webhook journals. Made on each
   * read because `restart()` can map the port anew.
   */
  get control(): ControlClient {
    return new ControlClient(`${this.origin}/__sandbox`);
  }

  /** The sandbox as this machine reaches it, e.g. http://localhost:32768 */
  get origin(): string {
    return `http://${this.getHost()}:${this.getMappedPort(SANDBOX_PORT)}`;
  }

  /** A provider's base URL: `baseUrl('wamessenger')`; Maytapi's takes `product`, else the first Maytapi account. */
  baseUrl(provider: string, product?: string): string {
    return providerBaseUrl(this.origin, provider, this.accounts, product);
  }
}
