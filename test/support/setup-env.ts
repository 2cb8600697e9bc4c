// CI services set CI=true, which makes MeshCa refuse to mint keys (as a pipeline should). The suite
// mints throwaway keys on purpose, so it runs as a developer would; tests of the CI behaviour set it.
delete process.env.CI;
