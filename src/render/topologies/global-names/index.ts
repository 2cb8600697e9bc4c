import { TopologyRenderer } from '../topology-renderer';
import { globalDnsStep, renderGlobalDns } from './dns';
import { renderGlobalService } from './global-services';
import { globalNamesGateway, renderGlobalGateway } from './mesh-gateway';
import { renderVersionedRoute } from './versioned-routes';

/** The source articles' design: `.global` names with VIPs, reached through each serving cluster's 15443 gateway. */
export const GLOBAL_NAMES_RENDERER: TopologyRenderer = {
  renderService: renderGlobalService,
  renderRoute: renderVersionedRoute,
  renderCluster: bundle => {
    renderGlobalDns(bundle);
    renderGlobalGateway(bundle);
  },
  gatewayComponent: globalNamesGateway,
  meshFiles: () => [],
  applySteps: globalDnsStep,
};
