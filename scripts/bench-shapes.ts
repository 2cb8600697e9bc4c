/**
 * The benchmark's mesh shapes: `all-to-all` (each service served by one cluster, consumed by every other:
 * the worst case), `realistic` (each service consumed by 3 clusters; a tenth has two versions and a
 * weighted route) and `scoped` (all-to-all's services, but each cluster's `frontend` namespace declares the
 * twentieth of them it calls, and uncalled services are pruned). Apart from the mesh, so that processes
 * that only dump YAML load nothing else.
 */
export type Shape = 'all-to-all' | 'realistic' | 'scoped';

export const SHAPES: readonly Shape[] = ['all-to-all', 'realistic', 'scoped'];
