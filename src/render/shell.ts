/**
 * The shell variable that names a cluster's kube context in generated scripts (`CTX_EAST_REMOTE`), which
 * defaults to the cluster's name and can be overridden from the environment.
 */
export const contextVariable = (clusterName: string) => `CTX_${clusterName.replace(/-/g, '_').toUpperCase()}`;

/** A cluster's kube context in a generated command: `${CTX_EAST:-east}`, the variable when set, else the name. */
export const contextOrName = (clusterName: string) => `\${${contextVariable(clusterName)}:-${clusterName}}`;

/** The line that gives a cluster's context variable its default: `CTX_EAST="${CTX_EAST:-east}"`. */
export const contextAssignment = (clusterName: string) => `${contextVariable(clusterName)}="${contextOrName(clusterName)}"`;
