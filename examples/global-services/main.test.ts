import { inventoryProblems, renderExample } from '../../test/support/examples';
import { istioSchemaErrors } from '../../test/support/istio-schema';
import { allObjects } from '../../test/support/synth';
import { build } from './main';

test('the committed output is what the code renders (refresh with: npm run examples)', () => {
  const { rendered, committed, apps } = renderExample(__dirname, build);
  expect(rendered.dist).toEqual(committed.dist);
  // The certificate inventory lists what the synth really used.
  for (const app of apps) expect(inventoryProblems(app)).toEqual([]);
  expect(rendered.locks).toEqual(committed.locks);
  expect(apps.flatMap(app => istioSchemaErrors(allObjects(app)))).toEqual([]);
});
