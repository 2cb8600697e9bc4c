import { Protocol, protocolFromName } from '../src/service-port';

describe('protocolFromName', () => {
  test.each<[string, Protocol | undefined]>([
    ['http', Protocol.HTTP], ['http-web', Protocol.HTTP], ['http1', Protocol.HTTP], ['http2', Protocol.HTTP2], ['http2-api', Protocol.HTTP2],
    ['https', Protocol.HTTPS], ['grpc-web', Protocol.GRPC_WEB], ['grpc-web-x', Protocol.GRPC_WEB], ['grpc', Protocol.GRPC], ['grpc-api', Protocol.GRPC],
    ['tcp-db', Protocol.TCP], ['tls', Protocol.TLS], ['mongo', Protocol.MONGO], ['mysql-0', Protocol.MYSQL], ['redis', Protocol.REDIS],
    ['web', undefined], ['httpx', undefined], ['http1x', undefined], ['xhttp', undefined], ['grpcweb', undefined], ['tcp2a', undefined],
  ])('%s states %s', (name, protocol) => {
    expect(protocolFromName(name)).toBe(protocol);
  });
});
