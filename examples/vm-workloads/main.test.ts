import { expectExampleHolds, renderExample } from '../../test/support/examples';
import { build } from './main';

test('the committed output is what the code renders (refresh with: npm run examples), with a true certificate inventory and valid objects', () => {
  expectExampleHolds(renderExample(__dirname, build));
});
