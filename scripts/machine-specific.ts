/**
 * What in the examples' rendered output depends on the machine that rendered it: each machine generates its
 * own example CA keys and Sealed Secrets sealing key (key stores are never committed), so the certificates,
 * the values sealed with them and what counts their bytes differ from one machine to the next. The drift
 * test compares everything else, and `npm run examples` keeps a committed file whose only changes are these.
 */

/** Files that carry key material generated on the machine; never committed. */
export const MACHINE_SPECIFIC_FILE = /(^|\/)(root-cert\.pem|certificates\.(md|json))$/;

/** A SealedSecret's sealed values, sealed from the machine's key store (stable there, different elsewhere). */
const withoutSealedValues = (text: string) => (/^kind: SealedSecret$/m.test(text) ? text.replace(/^( {4}[\w.-]+): [A-Za-z0-9+/=]+$/gm, '$1: <sealed>') : text);

/**
 * A file's text with the machine's values masked: an expected state names the roots of the machine's key
 * store, and budgets count the bytes of objects that carry its certificates.
 */
export function withoutMachineValues(file: string, text: string): string {
  const unsealed = withoutSealedValues(text);
  if (file.endsWith('expected-state.json')) return unsealed.replace(/("(sha256|notAfter)": )"[^"]*"/g, '$1"<root>"');
  if (file.endsWith('budgets.json')) return unsealed.replace(/("bytes": )\d+/g, '$1<bytes>');
  return unsealed;
}

/** Whether two renderings of a file differ, and only in the machine's values. */
export function onlyMachineValuesDiffer(file: string, before: string, after: string): boolean {
  return before !== after && withoutMachineValues(file, before) === withoutMachineValues(file, after);
}
