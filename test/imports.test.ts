import * as networking from '../imports/networking.istio.io';
import * as security from '../imports/security.istio.io';
import { IMPORTED_CRDS } from '../scripts/istio-crds';

describe('generated Istio imports', () => {
  test('every imported class is the v1 version of its kind', () => {
    // GIVEN the classes `npm run import` generates
    const exported: unknown[] = [...Object.values(networking), ...Object.values(security)];
    const pinned = Object.fromEntries(exported
      .filter((x): x is { GVK: { apiVersion: string; kind: string } } => typeof x === 'function' && 'GVK' in x)
      .map(cls => [cls.GVK.kind, cls.GVK.apiVersion]));

    // THEN they are exactly the trimmed set, each at v1
    expect(pinned).toEqual({
      AuthorizationPolicy: 'security.istio.io/v1',
      DestinationRule: 'networking.istio.io/v1',
      Gateway: 'networking.istio.io/v1',
      PeerAuthentication: 'security.istio.io/v1',
      ServiceEntry: 'networking.istio.io/v1',
      VirtualService: 'networking.istio.io/v1',
      WorkloadEntry: 'networking.istio.io/v1',
      WorkloadGroup: 'networking.istio.io/v1',
    });
    expect(Object.keys(pinned)).toHaveLength(IMPORTED_CRDS.length);
  });
});
