/** The order upstream lists API versions in (k8s.io/apimachinery/pkg/version CompareKubeAwareVersionStrings). */

/** version.CompareKubeAwareVersionStrings, as an ordering (negative: a first): v10 > v2 > v1 > v11beta2 > v10beta3 > v3beta1 > v12alpha1 > foo1 > foo10. */
export function compareKubeAwareVersion(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    return { major: Number(m[1]), stage: m[2] === 'alpha' ? 0 : m[2] === 'beta' ? 1 : 2, minor: Number(m[3] ?? 0) };
  };
  const pa = parse(a), pb = parse(b);
  if (!pa && !pb) return a < b ? -1 : a > b ? 1 : 0;
  if (!pa) return 1;
  if (!pb) return -1;
  if (pa.stage !== pb.stage) return pb.stage - pa.stage;
  if (pa.major !== pb.major) return pb.major - pa.major;
  return pb.minor - pa.minor;
}
