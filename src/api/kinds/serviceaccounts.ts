/**
 * core/v1 ServiceAccount (upstream ValidateServiceAccount, the ServiceAccount printer: NAME SECRETS AGE) and its
 * `token` subresource, which answers an authentication.k8s.io/v1 TokenRequest (src/apiserver/serviceaccount).
 */
import { nameIsDNSSubdomain, validateMeta } from '../validation/meta.ts';
import { col, nameColumn, ageColumn, age } from '../tables/table.ts';
import { define, sub } from './common.ts';
import { serveTokenRequest } from '../../apiserver/serviceaccount/token-request.ts';

export const serviceaccounts = define({
  group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true,
  shortNames: ['sa'],
  schemaName: 'io.k8s.api.core.v1.ServiceAccount',
  hasGeneration: false,
  subresources: [sub('token', 'authentication.k8s.io', 'v1', 'TokenRequest', ['create'], { serve: serveTokenRequest })],
  table: {
    columns: [nameColumn(), col('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), ageColumn()],
    row: (sa: any, now) => [sa?.metadata?.name ?? '', Array.isArray(sa?.secrets) ? sa.secrets.length : 0, age(sa, now)],
  },
  defaults() {},
  validate: (obj, old) => validateMeta(obj, old, true, nameIsDNSSubdomain),
});
