/** The typed mint API client: `avserverClient({ baseUrl, token })`. */
export * from './avserver-client.js';
