// Plays kubectl and istioctl from recorded output (test/fixtures/verify): `<tool> --context <cluster> ...`
// answers from <fixtures>/<cluster>/. Plain JavaScript, so the CLI test can put it on PATH without a compiler.
const fs = require('fs');
const path = require('path');

function fakeRunner(fixtures, rootCertPem) {
  return (tool, args) => {
    const context = args[args.indexOf('--context') + 1];
    const dir = path.join(fixtures, context);
    const rest = args.filter((_, i) => i !== args.indexOf('--context') && i !== args.indexOf('--context') + 1);
    const read = file => {
      if (!fs.existsSync(path.join(dir, file))) throw new Error(`${tool} ${rest.join(' ')}: Error: no recorded output ${context}/${file}`);
      return fs.readFileSync(path.join(dir, file), 'utf8');
    };
    if (tool === 'kubectl' && rest[0] === 'get' && rest[1] === 'configmap') {
      if (!rootCertPem) throw new Error('Error from server (NotFound): configmaps "istio-ca-root-cert" not found');
      return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio-ca-root-cert', namespace: 'istio-system' }, data: { 'root-cert.pem': rootCertPem } });
    }
    if (tool === 'kubectl' && rest[0] === 'get' && rest[1] === 'pods') {
      const namespace = rest.includes('-n') ? rest[rest.indexOf('-n') + 1] : undefined;
      const selector = rest.includes('-l') ? rest[rest.indexOf('-l') + 1].split(',').map(kv => kv.split('=')) : [];
      const list = JSON.parse(read('pods.json'));
      list.items = list.items.filter(p => (!namespace || p.metadata.namespace === namespace)
        && selector.every(([k, v]) => (p.metadata.labels || {})[k] === v));
      return JSON.stringify(list);
    }
    if (tool === 'kubectl' && rest[0] === 'get' && rest[1] === 'namespaces') return read('namespaces.json');
    if (tool === 'kubectl' && rest[0] === 'get' && rest[1] === 'secret') {
      // Only the template that lists keys is answered: verify must never ask for a Secret's values.
      const [name, namespace, output] = [rest[2], rest[rest.indexOf('-n') + 1], rest[rest.indexOf('-o') + 1]];
      if (!/^go-template=\{\{range \$key, \$value := \.data\}\}\{\{\$key\}\}/.test(output)) throw new Error(`kubectl ${rest.join(' ')}: asks for more than the keys`);
      const keys = JSON.parse(read('secrets.json'))[`${namespace}/${name}`];
      if (!keys) throw new Error(`Error from server (NotFound): secrets "${name}" not found`);
      return keys.map(key => `${key}\n`).join('');
    }
    if (tool === 'istioctl' && rest[0] === 'proxy-config') {
      return read(`${rest[2]}.${{ cluster: 'clusters', endpoint: 'endpoints', listener: 'listeners' }[rest[1]]}.json`);
    }
    if (tool === 'istioctl' && rest[0] === 'remote-clusters') return fs.readFileSync(path.join(fixtures, 'remote-clusters.txt'), 'utf8');
    throw new Error(`${tool} ${rest.join(' ')}: not recorded`);
  };
}

module.exports = { fakeRunner };

if (require.main === module) {
  const [tool, ...args] = process.argv.slice(2);
  const rootPem = process.env.FAKE_ROOT_CERT_FILE ? fs.readFileSync(process.env.FAKE_ROOT_CERT_FILE, 'utf8') : undefined;
  try {
    process.stdout.write(fakeRunner(process.env.FAKE_FIXTURES, rootPem)(tool, args));
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
}
