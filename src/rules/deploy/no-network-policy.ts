import {
  isDistributedKind,
  isDistributedPod,
  distributedPorts,
  podSpecs,
} from '../../deploy/facts.js';
import type { DeployFile, NetworkPolicySelector } from '../../deploy/model.js';
import { getMap, getScalar } from '../../workflows/yaml-tree.js';
import { defineRule } from '../define-rule.js';

// Labels training operators add to every pod they create: a policy selecting on them selects the
// job's pods even though the manifest's template does not carry them.
const OPERATOR_LABEL =
  /^(?:training\.kubeflow\.org|trainer\.kubeflow\.org|volcano\.sh|jobset\.sigs\.k8s\.io|batch\.kubernetes\.io)\//;

/** Distributed training pods with no NetworkPolicy (in the scanned files) selecting them. */
export default defineRule<DeployFile, 'unselected'>({
  id: 'deploy/no-network-policy',
  title: 'Distributed training pods without a NetworkPolicy',
  target: 'deploy',
  severity: 'low',
  confidence: 'low',
  policy: 'PyTorch SECURITY.md: Using distributed features',
  messages: {
    unselected:
      '{{kind}} `{{name}}` runs torch.distributed in namespace `{{namespace}}`, and no NetworkPolicy in the scanned files selects its pods: any pod in the cluster can reach its unauthenticated store',
  },
  check(ctx, file) {
    if (file.kind !== 'kubernetes') return;
    const ports = distributedPorts(file);
    for (const root of file.documents) {
      const kind = getScalar(root, 'kind');
      if (kind === undefined) continue;
      const pods = podSpecs(root);
      const distributed =
        isDistributedKind(root) || pods.some((p) => isDistributedPod(file.text, p.spec, ports));
      if (!distributed) continue;
      const metadata = getMap(root, 'metadata');
      const namespace = getScalar(metadata, 'namespace')?.text ?? 'default';
      const labels = pods.flatMap((p) => [...p.labels]);
      if (file.networkPolicies.some((policy) => selects(policy, namespace, new Map(labels))))
        continue;
      ctx.report({
        messageId: 'unselected',
        data: { kind: kind.text, name: getScalar(metadata, 'name')?.text ?? '', namespace },
        at: { span: kind.span, path: kind.path },
      });
    }
  },
});

function selects(
  policy: NetworkPolicySelector,
  namespace: string,
  labels: ReadonlyMap<string, string>,
): boolean {
  if (policy.namespace !== namespace) return false;
  // matchExpressions are not evaluated: counted as selecting, so the rule stays quiet (info/low).
  if (policy.selector === 'all' || policy.selector === 'expressions') return true;
  for (const [key, value] of policy.selector) {
    if (OPERATOR_LABEL.test(key)) continue;
    if (labels.get(key) !== value) return false;
  }
  return true;
}
