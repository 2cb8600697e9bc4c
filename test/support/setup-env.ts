import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// CI services set CI=true, which makes MeshCa refuse to mint keys (as a pipeline should). The suite
// mints throwaway keys on purpose, so its code sees the environment a developer has; tests of the CI
// behaviour set it. (This is the test sandbox's environment: a command spawned without `env` still gets
// the worker's, so scripts that mint keys on purpose say so with requireExisting: false.)
delete process.env.CI;

// Tests synthesize as users do, and a mesh keeps state (mesh.lock.json, .mesh-keys/) in the working
// directory unless told otherwise: each test file works in a scratch directory, never in the checkout.
// Removed when the file's tests are done (Jest ends its workers without running 'exit' handlers), after
// leaving it: the worker's next test file starts in the working directory this one leaves.
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-cwd-'));
process.chdir(scratch);
afterAll(() => {
  process.chdir(os.tmpdir());
  fs.rmSync(scratch, { recursive: true, force: true });
});
