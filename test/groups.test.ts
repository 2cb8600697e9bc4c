import { addToGroup } from '../src/groups';

test('addToGroup starts a key\'s group at its first item and keeps the items in the order added', () => {
  const groups = new Map<string, number[]>();
  [['a', 1], ['b', 2], ['a', 3]].forEach(([key, item]) => addToGroup(groups, key as string, item as number));
  expect([...groups]).toEqual([['a', [1, 3]], ['b', [2]]]);
});
