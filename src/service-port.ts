import { IConstruct } from 'constructs';
import { propError } from './validation/errors';
import { checkPort } from './validation/network';
import { checkOneOf } from './validation/values';

/** Protocols Istio selects by port (the `<protocol>` of a `<protocol>[-<suffix>]` port name). */
export enum Protocol {
  HTTP = 'HTTP',
  HTTP2 = 'HTTP2',
  HTTPS = 'HTTPS',
  GRPC = 'GRPC',
  GRPC_WEB = 'GRPC-Web',
  TCP = 'TCP',
  TLS = 'TLS',
  MONGO = 'MONGO',
  MYSQL = 'MYSQL',
  REDIS = 'REDIS',
}

/** A port of a mesh service. */
export interface ServicePort {
  /**
   * The port name. Istio reads the protocol from it: `<protocol>[-<suffix>]`, e.g. `http`, `http-web`, `grpc-api`.
   */
  readonly name: string;

  /** The port number clients use. */
  readonly number: number;

  /**
   * The protocol, when the name does not start with one.
   * @default - read from the name's `<protocol>` prefix
   */
  readonly protocol?: Protocol;

  /**
   * The port the workload's containers listen on. A serving cluster's entry selects the pods themselves,
   * so its gateway sends cross-cluster traffic to `podIP:targetPort`, whatever the Kubernetes Service
   * maps (Istio's httpbin sample: `number` 8000, `targetPort` 8080). Set it whenever the two differ;
   * every synth notes the ports that leave it out.
   * @default - the same as `number`
   */
  readonly targetPort?: number;
}

/** A validated port with its protocol decided. */
export interface ResolvedPort {
  readonly name: string;
  readonly number: number;
  readonly protocol: Protocol;
  /** @default - the same as `number` */
  readonly targetPort?: number;
}

// Upper-cased: rendered objects spell protocols as Istio reads them, in any case (`GRPC-WEB`, `grpc-web`).
const protocolSet = (...protocols: Protocol[]): ReadonlySet<string> => new Set(protocols.map(p => p.toUpperCase()));
const HTTP_PROTOCOLS = protocolSet(Protocol.HTTP, Protocol.HTTP2, Protocol.GRPC, Protocol.GRPC_WEB);
const TLS_PROTOCOLS = protocolSet(Protocol.HTTPS, Protocol.TLS);

/** Whether HTTP routes (VirtualService `http`, an HTTP gateway server) can carry a protocol's traffic. */
export const isHttpProtocol = (protocol: string) => HTTP_PROTOCOLS.has(protocol.toUpperCase());

/** Whether a protocol is TLS, routed by SNI. */
export const isTlsProtocol = (protocol: string) => TLS_PROTOCOLS.has(protocol.toUpperCase());

/** Whether HTTP routes can carry a port's traffic. */
export const isHttpPort = (port: ResolvedPort) => isHttpProtocol(port.protocol);

/** Whether a port's traffic names its host (HTTP's Host header, TLS's SNI), so that one listener can tell hosts apart. */
export const namesHost = (port: ResolvedPort) => isHttpProtocol(port.protocol) || isTlsProtocol(port.protocol);

/**
 * The ports Istio's proxy listens on in every sidecar workload's network namespace (istio.io, "Ports used
 * by Istio"), and the ones ztunnel's in-pod redirection takes in an ambient pod: an application listening
 * on one of them cannot bind it, or has its traffic taken by the proxy.
 */
const SIDECAR_PORTS: ReadonlyMap<number, string> = new Map([
  [15000, 'Envoy admin'], [15001, 'outbound capture'], [15004, 'debug'], [15006, 'inbound capture'], [15008, 'HBONE tunnel'],
  [15020, 'merged metrics'], [15021, 'health check'], [15053, 'DNS proxy'], [15090, 'Envoy metrics'],
]);
/** The kinds of Istio proxy whose ports a listener can collide with. */
export enum ProxyKind {
  /** A workload's sidecar, which captures its pod's traffic. */
  SIDECAR = 'sidecar',
  /** ztunnel's in-pod redirection in an ambient pod. */
  AMBIENT_POD = 'ambient pod',
  /** A gateway's Envoy, which captures nothing: only its agent's and admin ports are taken. */
  GATEWAY = 'gateway',
}

const PROXY_PORTS: { readonly [kind in ProxyKind]: ReadonlyMap<number, string> } = {
  [ProxyKind.SIDECAR]: SIDECAR_PORTS,
  [ProxyKind.AMBIENT_POD]: new Map([...SIDECAR_PORTS].filter(([port]) => [15001, 15006, 15008, 15053].includes(port))),
  [ProxyKind.GATEWAY]: new Map([...SIDECAR_PORTS].filter(([port]) => [15000, 15004, 15020, 15021, 15090].includes(port))),
};

/** What an Istio proxy of that kind uses `listenPort` for, or undefined when the port is free to take. */
export function proxyPortUse(listenPort: number, proxy: ProxyKind): string | undefined {
  return PROXY_PORTS[proxy].get(listenPort);
}

const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_PORT_NAME = 62;
const PREFIXES: ReadonlyArray<[string, Protocol]> = [
  ['grpc-web', Protocol.GRPC_WEB], ['http2', Protocol.HTTP2], ['https', Protocol.HTTPS], ['http', Protocol.HTTP],
  ['grpc', Protocol.GRPC], ['tcp', Protocol.TCP], ['tls', Protocol.TLS], ['mongo', Protocol.MONGO],
  ['mysql', Protocol.MYSQL], ['redis', Protocol.REDIS],
];

/** The names that state each protocol: the prefix alone, then `-<suffix>` or digits. */
const NAME_PATTERNS: ReadonlyArray<[RegExp, Protocol]> = PREFIXES.map(([prefix, protocol]) => [new RegExp(`^${prefix}(?:$|-|[0-9]+$)`), protocol]);

/** The protocol a port name states (`http`, `http-web`, `http1`), if any. */
export function protocolFromName(name: string): Protocol | undefined {
  // `http1` (as in Istio's old multicluster guides) counts as http: Istio accepts a protocol prefix followed by a suffix.
  return NAME_PATTERNS.find(([pattern]) => pattern.test(name))?.[1];
}

/**
 * Validates a construct's ports: names follow Istio's convention (or state a protocol), names and
 * numbers are unique, numbers are in range.
 */
export function resolvePorts(scope: IConstruct, ports: readonly ServicePort[], prop = 'ports'): ResolvedPort[] {
  if (ports.length === 0) {
    throw propError(scope, prop, ports, 'is empty: a service needs at least one port, e.g. { name: "http", number: 8000 }');
  }
  const names = new Set<string>();
  const numbers = new Set<number>();
  return ports.map((port, i) => {
    const where = `${prop}[${i}]`;
    // 62 at most: Istio's CRD refuses longer names as the keys of a ServiceEntry endpoint's ports.
    if (!PORT_NAME.test(port.name) || port.name.length > MAX_PORT_NAME) {
      throw propError(scope, `${where}.name`, port.name, `is not a valid port name: use at most ${MAX_PORT_NAME} lower-case letters, digits and "-", e.g. http-web`);
    }
    const protocol = port.protocol ?? protocolFromName(port.name);
    if (!protocol) {
      throw propError(scope, `${where}.name`, port.name,
        `does not say its protocol: name it <protocol>[-<suffix>] (e.g. http-${port.name}) or set protocol (${Object.values(Protocol).join(', ')})`);
    }
    checkOneOf(scope, `${where}.protocol`, protocol, Protocol, 'a protocol Istio knows');
    checkPort(scope, `${where}.number`, port.number);
    if (port.targetPort !== undefined) checkPort(scope, `${where}.targetPort`, port.targetPort);
    if (names.has(port.name)) {
      throw propError(scope, `${where}.name`, port.name, 'is used by two ports: port names must be unique');
    }
    if (numbers.has(port.number)) {
      throw propError(scope, `${where}.number`, port.number, 'is used by two ports: port numbers must be unique');
    }
    names.add(port.name);
    numbers.add(port.number);
    return { name: port.name, number: port.number, protocol, targetPort: port.targetPort };
  });
}
