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
/** The name `withHostAccess` gives this machine inside the container (Docker Desktop's own name for it). */
export const HOST_FROM_CONTAINER = 'host.docker.internal';

export class WaSandboxContainer extends GenericContainer {
  private accounts: SandboxAccount[] = [];
  private hostAccess = false;
  private controlToken: string | undefined;

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

  /**
   * The control API and the dashboard ask for this token (CONTROL_TOKEN); `control` sends it. Provider
   * routes never ask, nor does the health check the container is waited on.
   */
  withControlToken(token: string): this {
    this.controlToken = token;
    return this.withEnvironment({ CONTROL_TOKEN: token });
  }

  /**
   * Lets the sandbox reach servers on this machine, e.g. a webhook receiver, as `host.docker.internal`:
   * Docker's `host-gateway` (Docker 20.10 and later), the host's address on the container's bridge. The
   * receiver must listen on that bridge, not only on 127.0.0.1: `WebhookReceiver.start({ listenHost: '0.0.0.0' })`.
   * Its URL for the sandbox is then `hostUrl(receiver.url)`.
   */
  withHostAccess(): this {
    this.hostAccess = true;
    return this.withExtraHosts([{ host: HOST_FROM_CONTAINER, ipAddress: 'host-gateway' }]);
  }

  override async start(): Promise<StartedWaSandboxContainer> {
    return new StartedWaSandboxContainer(await super.start(), this.accounts, this.hostAccess, this.controlToken);
  }
}

export class StartedWaSandboxContainer extends AbstractStartedContainer {
  constructor(
    started: StartedTestContainer,
    private readonly accounts: SandboxAccount[],
    private readonly hostAccess: boolean,
    private readonly controlToken: string | undefined,
  ) {
    super(started);
  }

  /**
   * The control API's client: the clock, virtual customers, message and webhook journals. Made on each
   * read because `restart()` can map the port anew.
   */
  get control(): ControlClient {
    return new ControlClient(`${this.origin}/__sandbox`, this.controlToken);
  }

  /** The sandbox as this machine reaches it, e.g. http://localhost:32768 */
  get origin(): string {
    return `http://${this.getHost()}:${this.getMappedPort(SANDBOX_PORT)}`;
  }

  /** A provider's base URL: `baseUrl('wamessenger')`; Maytapi's takes `product`, else the first Maytapi account. */
  baseUrl(provider: string, product?: string): string {
    return providerBaseUrl(this.origin, provider, this.accounts, product);
  }

  /**
   * A URL on this machine as the sandbox in the container reaches it, for a webhook url: the same port and
   * path on `host.docker.internal`. `hostUrl('http://127.0.0.1:41234/hook')` is
   * `http://host.docker.internal:41234/hook`. Needs the container started `withHostAccess()`.
   */
  hostUrl(url: string): string {
    if (!this.hostAccess) throw new Error('hostUrl() needs the container started withHostAccess()');
    const reached = new URL(url);
    reached.hostname = HOST_FROM_CONTAINER;
    return reached.href;
  }
}
