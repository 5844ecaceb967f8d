/**
 * The descriptors a CustomResourceDefinition stands for: one ResourceDef per served version, built at run time and
 * served by the same generic registry as the built-in kinds (upstream apiextensions-apiserver's crdHandler builds a
 * customresource REST storage per version the same way). From the CRD version come: names and scope, the schema
 * (validation with every field error, structural defaulting, pruning of unknown fields), the status and scale
 * subresources, the Table (additionalPrinterColumns, or AGE), and field selectors (metadata.name/namespace and
 * the version's selectableFields).
 */
import type { KubeObject, ResourceDef, SubresourceDef } from '../resource.ts';
import type { Schema } from '../schema.ts';
import type { TableDef } from '../tables/table.ts';
import { col, nameColumn } from '../tables/table.ts';
import { DOC } from '../tables/descriptions.ts';
import { ageSince } from '../../util/duration.ts';
import { define, keepAllButStatus, keepStatus, status, sub, SUB_VERBS } from '../kinds/common.ts';
import { nameIsDNSSubdomain, validateMeta } from '../validation/meta.ts';
import { validateCustomResource } from './validate.ts';
import { applyDefaults, publishedListSchema, publishedSchema, schemaNameOf } from './schema.ts';
import { evaluate, getField, parseJsonPath, simpleFields } from './jsonpath.ts';
import { scaleHandler } from '../../apiserver/subresources/scale.ts';
import { compareKubeAwareVersion } from './versions.ts';

export { compareKubeAwareVersion };

type S = Record<string, any>;
const isObj = (v: unknown): v is S => typeof v === 'object' && v !== null && !Array.isArray(v);

export const CRD_GROUP = 'apiextensions.k8s.io';

/** A served version of a CRD: its descriptor and the definitions it adds (kind and list). */
export interface CustomResourceVersion {
  def: ResourceDef;
  schemas: Record<string, Schema>;
}

/** The version names a CRD serves, in discovery order (kube-aware version priority, as upstream sorts them). */
export function servedVersions(crd: S): S[] {
  const vs = (Array.isArray(crd.spec?.versions) ? crd.spec.versions : []).filter((v: S) => v?.served === true);
  return [...vs].sort((a, b) => compareKubeAwareVersion(String(a.name), String(b.name)));
}

/** The printer columns of a version: its additionalPrinterColumns, or AGE alone (upstream serveDefaultColumnsIfEmpty). */
export function printerTable(columns: unknown): TableDef {
  const cols: S[] = Array.isArray(columns) && columns.length ? columns.filter(isObj)
    : [{ name: 'Age', type: 'date', description: DOC.creationTimestamp, jsonPath: '.metadata.creationTimestamp' }];
  const paths = cols.map((c) => { try { return parseJsonPath(String(c.jsonPath ?? '')); } catch { return undefined; } });
  return {
    columns: [nameColumn(), ...cols.map((c) => col(String(c.name ?? ''), c.type, c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}`, c.priority ?? 0, c.format ?? ''))],
    row(obj: KubeObject, nowMs: number) {
      return [obj.metadata?.name ?? '', ...cols.map((c, i) => {
        const steps = paths[i];
        const found = steps ? evaluate(steps, obj) : [];
        return found.length ? cell(String(c.type), found[0], nowMs) : null;
      })];
    },
  };
}

/** cellForJSONValue: a value as its column type shows it (dates as ages). */
function cell(type: string, v: unknown, nowMs: number): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'string': return typeof v === 'string' ? v : JSON.stringify(v);
    case 'integer': return typeof v === 'number' ? Math.trunc(v) : null;
    case 'number': return typeof v === 'number' ? v : null;
    case 'boolean': return typeof v === 'boolean' ? v : null;
    case 'date': return typeof v === 'string' ? (Number.isNaN(Date.parse(v)) ? '<invalid>' : ageSince(v, nowMs)) : null;
    default: return null;
  }
}

/** Every served version of a CRD as a descriptor (names from status.acceptedNames once accepted, else spec.names). */
export function customResourceVersions(crd: S): CustomResourceVersion[] {
  const group = String(crd.spec?.group ?? '');
  const names: S = isObj(crd.status?.acceptedNames) && crd.status.acceptedNames.plural ? crd.status.acceptedNames : (crd.spec?.names ?? {});
  const kind = String(names.kind ?? '');
  const listKind = String(names.listKind || `${kind}List`);
  const namespaced = crd.spec?.scope === 'Namespaced';
  return servedVersions(crd).map((v) => {
    const version = String(v.name);
    const raw = v.schema?.openAPIV3Schema;
    const schemaName = schemaNameOf(group, version, kind);
    const listName = schemaNameOf(group, version, listKind);
    const statusOn = isObj(v.subresources?.status);
    const scale = isObj(v.subresources?.scale) ? v.subresources.scale : undefined;
    const subresources: SubresourceDef[] = [];
    if (statusOn) subresources.push(status(group, version, kind));
    if (scale) subresources.push(sub('scale', 'autoscaling', 'v1', 'Scale', SUB_VERBS, { serve: scaleHandler({ specReplicasPath: scale.specReplicasPath, statusReplicasPath: scale.statusReplicasPath, labelSelectorPath: scale.labelSelectorPath || undefined }) }));
    const selectable = (Array.isArray(v.selectableFields) ? v.selectableFields : [])
      .map((f: S) => String(f?.jsonPath ?? '')).filter(Boolean);
    const def = define({
      group, version, kind, listKind, plural: String(names.plural ?? ''), singular: String(names.singular || kind.toLowerCase()), namespaced,
      shortNames: Array.isArray(names.shortNames) ? names.shortNames : [],
      categories: Array.isArray(names.categories) ? names.categories : [],
      subresources,
      schemaName,
      custom: true,
      hasGeneration: true,
      table: printerTable(v.additionalPrinterColumns),
      fieldSelectors: {
        accepted: ['metadata.name', ...(namespaced ? ['metadata.namespace'] : []), ...selectable.map((p: string) => p.replace(/^\./, ''))],
        fields: (o) => Object.fromEntries(selectable.map((p: string) => {
          const f = simpleFields(p);
          const val = f ? getField(o, f) : undefined;
          return [p.replace(/^\./, ''), val === undefined || val === null ? '' : String(val)];
        })),
      },
      defaults(obj) {
        const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = obj;
        applyDefaults(rest, raw);
        for (const [k, val] of Object.entries(rest)) obj[k] = val;
      },
      validate(obj, old) {
        return [...validateMeta(obj, old, namespaced, nameIsDNSSubdomain), ...validateCustomResource(obj, raw)];
      },
      prepareForCreate(obj) { if (statusOn) delete obj.status; },
      prepareForUpdate(obj, old) { if (statusOn) keepStatus(obj, old); },
      prepareForStatusUpdate(obj, old) { keepAllButStatus(obj, old); },
      validateStatus(obj, old) {
        return [...validateMeta(obj, old, namespaced, nameIsDNSSubdomain), ...validateCustomResource(obj, raw)];
      },
    });
    return {
      def,
      schemas: {
        [schemaName]: publishedSchema(raw, group, version, kind),
        [listName]: publishedListSchema(schemaName, group, version, listKind, kind),
      },
    };
  });
}
