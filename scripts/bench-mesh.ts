import * as path from 'path';
import { ClientNamespace, GlobalService, Mesh, MeshApp, MeshCluster, VersionedRoute } from '../src';

import type { Shape } from './bench-shapes';

export type { Shape } from './bench-shapes';

/** Declares the benchmark mesh into `app`. */
export function declareMesh(app: MeshApp, dir: string, clusterCount: number, serviceCount: number, shape: Shape): void {
  const mesh = new Mesh(app, 'mesh', { lockFile: path.join(dir, 'mesh.lock.json'), vipRange: '240.0.0.0/12', pruneUncalledServices: shape === 'scoped' });
  const clusters = Array.from({ length: clusterCount }, (_, i) => new MeshCluster(mesh, `cluster${i}`, {
    network: `network${i}`, gateway: { address: `10.${i >> 8}.${i & 255}.1` }, locality: `region${i % 3}/zone${i}`,
  }));
  const services: GlobalService[] = [];
  for (let i = 0; i < serviceCount; i++) {
    const server = clusters[i % clusterCount];
    const consumers = shape === 'realistic'
      ? [1, 2, 3].map(k => clusters[(i + k) % clusterCount]).filter(c => c !== server)
      : undefined;
    const service = new GlobalService(mesh, `svc${i}`, {
      namespace: `ns${i % 50}`,
      ports: [{ name: 'http', number: 8000, targetPort: 8080 }, { name: 'grpc-api', number: 9000, targetPort: 9000 }],
      servedBy: shape === 'realistic' && i % 10 === 0 ? [server, clusters[(i + 4) % clusterCount]] : [server],
      consumers,
    });
    services.push(service);
    if (shape === 'realistic' && i % 10 === 0 && clusterCount > 4) {
      const stable = service.addVersion('stable', { clusters: [server] });
      const canary = service.addVersion('canary', { clusters: [clusters[(i + 4) % clusterCount]] });
      new VersionedRoute(mesh, `route${i}`, {
        service, port: 'http', clients: consumers!,
        defaultRoute: [{ version: stable, weight: 90 }, { version: canary, weight: 10 }],
      });
    }
  }
  if (shape === 'scoped') {
    clusters.forEach((cluster, c) => new ClientNamespace(mesh, `frontend-${cluster.clusterName}`, {
      namespace: 'frontend', clusters: [cluster],
      calls: services.filter((service, i) => i % 20 === (c + 1) % 20 && !service.servedBy.includes(cluster)),
    }));
  }
}
