/**
 * Create-only kinds that are never stored (upstream's create-only REST storages): authorization.k8s.io/v1
 * SubjectAccessReview, SelfSubjectAccessReview, LocalSubjectAccessReview, SelfSubjectRulesReview and
 * authentication.k8s.io/v1 SelfSubjectReview. Their answers come from src/apiserver/authz/reviews.ts.
 */
import { define } from './common.ts';
import { localSubjectAccessReview, selfSubjectAccessReview, selfSubjectReview, selfSubjectRulesReview, subjectAccessReview } from '../../apiserver/authz/reviews.ts';

const CREATE_ONLY = { verbs: ['create'], garbageCollected: false, hasGeneration: false, defaults() {}, validate: () => [] };

export const selfsubjectreviews = define({
  ...CREATE_ONLY,
  group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview', plural: 'selfsubjectreviews', namespaced: false,
  schemaName: 'io.k8s.api.authentication.v1.SelfSubjectReview',
  review: () => selfSubjectReview(),
});

export const localsubjectaccessreviews = define({
  ...CREATE_ONLY,
  group: 'authorization.k8s.io', version: 'v1', kind: 'LocalSubjectAccessReview', plural: 'localsubjectaccessreviews', namespaced: true,
  schemaName: 'io.k8s.api.authorization.v1.LocalSubjectAccessReview',
  review: (ctx) => localSubjectAccessReview(ctx.authorization),
});

export const selfsubjectaccessreviews = define({
  ...CREATE_ONLY,
  group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', namespaced: false,
  schemaName: 'io.k8s.api.authorization.v1.SelfSubjectAccessReview',
  review: (ctx) => selfSubjectAccessReview(ctx.authorization),
});

export const selfsubjectrulesreviews = define({
  ...CREATE_ONLY,
  group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectRulesReview', plural: 'selfsubjectrulesreviews', namespaced: false,
  schemaName: 'io.k8s.api.authorization.v1.SelfSubjectRulesReview',
  review: (ctx) => selfSubjectRulesReview(ctx.authorization),
});

export const subjectaccessreviews = define({
  ...CREATE_ONLY,
  group: 'authorization.k8s.io', version: 'v1', kind: 'SubjectAccessReview', plural: 'subjectaccessreviews', namespaced: false,
  schemaName: 'io.k8s.api.authorization.v1.SubjectAccessReview',
  review: (ctx) => subjectAccessReview(ctx.authorization),
});
