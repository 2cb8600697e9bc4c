/**
 * The shell variable that names a cluster's kube context in generated scripts (`CTX_EAST_REMOTE`), which
 * defaults to the cluster's name and can be overridden from the environment.
 */
export const contextVariable = (clusterName: string) => `CTX_${clusterName.replace(/-/g, '_').toUpperCase()}`;
