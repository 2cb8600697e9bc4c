import { MeshTopology } from '../../topology';
import { AMBIENT_RENDERER } from './ambient';
import { GLOBAL_NAMES_RENDERER } from './global-names';
import { MULTI_NETWORK_RENDERER } from './multi-network';
import { TopologyRenderer } from './topology-renderer';

/** The renderer of each topology. */
export const TOPOLOGY_RENDERERS: { readonly [topology in MeshTopology]: TopologyRenderer } = {
  [MeshTopology.GLOBAL_NAMES]: GLOBAL_NAMES_RENDERER,
  [MeshTopology.MULTI_NETWORK]: MULTI_NETWORK_RENDERER,
  [MeshTopology.AMBIENT]: AMBIENT_RENDERER,
};
