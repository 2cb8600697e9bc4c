export * from './global-dns';
export * from './global-service';
export * from './mesh';
export * from './mesh-app';
export * from './mesh-ca';
export * from './mesh-cluster';
export * from './service-port';
export { MeshConfigError } from './validation/errors';
