// @hapi/hawk ships no types; this declares the part the bench calls.
declare module '@hapi/hawk' {
  interface Credentials {
    id: string;
    key: string;
    algorithm: 'sha1' | 'sha256';
  }
  interface ClientOptions {
    credentials: Credentials;
    payload?: string;
    contentType?: string;
  }
  interface ServerRequest {
    method: string;
    url: string;
    headers: Record<string, string>;
  }
  interface ServerOptions {
    host?: string;
    port?: number;
    payload?: string;
  }
  const Hawk: {
    client: { header(uri: string, method: string, options: ClientOptions): { header: string; artifacts: unknown } };
    server: {
      authenticate(
        req: ServerRequest,
        credentialsFunc: (id: string) => Credentials | Promise<Credentials>,
        options?: ServerOptions,
      ): Promise<{ credentials: Credentials; artifacts: unknown }>;
    };
  };
  export default Hawk;
}
