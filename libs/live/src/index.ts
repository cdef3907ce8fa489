/**
 * Live mode (issue 16): a real WhatsApp session behind every provider's API, on Baileys. Only live mode
 * imports this module (dynamically), so the simulated sandbox never loads Baileys.
 */
export { useStateAuth, linkedCreds } from './auth-state.js';
export { BaileysTransport, DEFAULT_BACK_OFF, type BackOff, type BaileysTransportOptions } from './baileys.transport.js';
export { afterClose, type AfterClose } from './disconnects.js';
export { baileysSocket, type LiveSocket, type MediaDownloader, type ReconnectTimer, type SocketConfig, type SocketFactory } from './socket.js';
