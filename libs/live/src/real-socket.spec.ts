import makeWASocket, { DisconnectReason, NOISE_WA_HEADER } from '@whiskeysockets/baileys';
import { BaileysTransport } from './baileys.transport.js';
import type { LiveSocket, SocketFactory } from './socket.js';
import { ManualTimer } from './testing/fake-socket.js';
import { startLocalWaServer } from './testing/local-wa-server.js';
import { RecordingSink, testContext, testSession } from './testing/recording-sink.js';

/**
 * Real Baileys sockets against a WebSocket server on loopback (`waWebSocketUrl`): what can be proven of the
 * connection without reaching WhatsApp. The server accepts the upgrade and reads Baileys' Noise hello, then
 * drops the stream or stays silent; it cannot complete the handshake, so QR codes and login stay with the
 * fake-socket tests. No fixed waits: each step waits for the event it causes; the back-off timer is fired by hand.
 */
describe('BaileysTransport on real Baileys sockets and a local WebSocket server', () => {
  // Baileys gives up on a silent server after connectTimeoutMs (its default is 20 s).
  const CONNECT_TIMEOUT_MS = 1_500;

  async function setUp() {
    const server = await startLocalWaServer();
    const closeCodes: Array<number | undefined> = [];
    const sockets: LiveSocket[] = [];
    const factory: SocketFactory = (config) => {
      const socket = makeWASocket({ ...config, waWebSocketUrl: server.url, connectTimeoutMs: CONNECT_TIMEOUT_MS });
      // What the client itself saw when the connection closed.
      socket.ev.on('connection.update', ({ connection, lastDisconnect }) => {
        if (connection === 'close') closeCodes.push((lastDisconnect?.error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode);
      });
      sockets.push(socket);
      return socket;
    };
    const timer = new ManualTimer();
    const sink = new RecordingSink();
    const transport = new BaileysTransport({ socket: factory, timer, backOff: { firstMs: 1_000, maxMs: 4_000 } });
    transport.attach(sink, testContext().context);
    return { server, closeCodes, sockets, timer, sink, transport };
  }

  let stop: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await stop?.();
    stop = null;
  });

  it('connects with the Noise hello; a dropped stream closes with 428 and reconnects with capped exponential back-off; close cancels the retry', async () => {
    const { server, closeCodes, sockets, timer, sink, transport } = await setUp();
    const session = testSession();
    stop = async () => {
      await transport.close(session);
      await server.stop();
    };

    await transport.open(session, false);
    const first = await server.nextConnection();
    // WhatsApp's Noise prologue: "WA", then the protocol and dictionary versions.
    expect((await first.firstFrame).subarray(0, 4)).toEqual(NOISE_WA_HEADER);

    let dropped = sink.nextUpdate('s1', 'disconnected');
    first.close();
    expect(await dropped).toEqual({ state: 'disconnected', reason: 'connection closed', retryInMs: 1_000 });
    expect(closeCodes).toEqual([DisconnectReason.connectionClosed]);

    // The retry is a new socket, which connects again.
    timer.fireNext();
    const second = await server.nextConnection();
    expect((await second.firstFrame).subarray(0, 4)).toEqual(NOISE_WA_HEADER);
    dropped = sink.nextUpdate('s1', 'disconnected');
    second.close();
    expect(await dropped).toEqual({ state: 'disconnected', reason: 'connection closed', retryInMs: 2_000 });

    // A server that never answers the hello: Baileys times out (408), and the back-off grows on.
    timer.fireNext();
    const silent = await server.nextConnection();
    await silent.firstFrame;
    dropped = sink.nextUpdate('s1', 'disconnected');
    expect(await dropped).toEqual({ state: 'disconnected', reason: 'connection lost or timed out', retryInMs: 4_000 });
    expect(closeCodes).toEqual([DisconnectReason.connectionClosed, DisconnectReason.connectionClosed, DisconnectReason.timedOut]);
    expect(sockets).toHaveLength(3);

    // The back-off stops growing at its cap; closing the session cancels the retry it waits for.
    timer.fireNext();
    const fourth = await server.nextConnection();
    await fourth.firstFrame;
    dropped = sink.nextUpdate('s1', 'disconnected');
    fourth.close();
    expect(await dropped).toEqual({ state: 'disconnected', reason: 'connection closed', retryInMs: 4_000 });
    await transport.close(session);
    expect(timer.pending).toEqual([]);
    expect(sockets).toHaveLength(4);
    expect(server.connections).toHaveLength(4);
    // Generous: a busy machine slows real sockets, and the silent server's step waits CONNECT_TIMEOUT_MS.
  }, 60_000);
});
