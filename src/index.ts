export * from './mesh';
export * from './mesh-app';
export * from './mesh-cluster';
export { MeshConfigError } from './validation/errors';
