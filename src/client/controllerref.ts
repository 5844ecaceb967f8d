/**
 * Controller references (upstream pkg/controller/controller_ref_manager.go): an owner claims the objects that
 * match its selector — adopting orphans (adding a controller ownerReference, after re-reading itself from the API
 * to be sure it still exists and is not being deleted) and releasing objects it controls that stopped matching.
 * Writes are PUTs with the object's resourceVersion, so a concurrent change makes the claim retry, never clobber.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.d.ts';
import type { KubeClient } from './client.ts';
import type { ResourceRef } from './resources.ts';
import type { KubeObject } from '../api/resource.ts';
import { StatusError } from '../api/errors.ts';

export function getControllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

export function newControllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata!.name!, uid: owner.metadata!.uid!, controller: true, blockOwnerDeletion: true };
}

export interface ClaimOptions<T extends KubeObject> {
  client: KubeClient;
  owner: KubeObject;
  ownerApiVersion: string;
  ownerKind: string;
  /** The kind being claimed (pods, replicasets). */
  ref: ResourceRef;
  matches: (obj: T) => boolean;
  /** Re-read the owner from the API: adoption only if it is still there with the same uid and not deleting. */
  recheckOwner: () => Promise<KubeObject | undefined>;
}

/** ClaimObjects: the objects this owner controls after adoption and release. */
export async function claimObjects<T extends KubeObject>(objs: T[], o: ClaimOptions<T>): Promise<T[]> {
  const claimed: T[] = [];
  const uid = o.owner.metadata?.uid;
  const ownerDeleting = !!o.owner.metadata?.deletionTimestamp;
  let canAdopt: Promise<void> | undefined;
  const errors: Error[] = [];
  for (const obj of objs) {
    const ref = getControllerOf(obj);
    if (ref) {
      if (ref.uid !== uid) continue;
      if (o.matches(obj)) { claimed.push(obj); continue; }
      if (ownerDeleting) continue;
      try { await release(obj, uid!, o); } catch (e) { errors.push(e as Error); }
      continue;
    }
    if (ownerDeleting || !o.matches(obj) || obj.metadata?.deletionTimestamp) continue;
    try {
      canAdopt ??= (async () => {
        const fresh = await o.recheckOwner();
        if (!fresh || fresh.metadata?.uid !== uid) throw new Error(`original ${o.ownerKind} ${o.owner.metadata?.namespace}/${o.owner.metadata?.name} is gone: got uid ${fresh?.metadata?.uid}, wanted ${uid}`);
        if (fresh.metadata?.deletionTimestamp) throw new Error(`${o.ownerKind} ${o.owner.metadata?.namespace}/${o.owner.metadata?.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
      })();
      await canAdopt;
      const adopted = await adopt(obj, o);
      if (adopted) claimed.push(adopted);
    } catch (e) { errors.push(e as Error); }
  }
  if (errors.length) {
    // A lone conflict stays a StatusError (callers retry those quietly).
    if (errors.length === 1 && errors[0] instanceof StatusError) throw errors[0];
    const err = new Error(errors.map((e) => e.message).join('; '));
    (err as any).claimed = claimed;
    throw err;
  }
  return claimed;
}

async function adopt<T extends KubeObject>(obj: T, o: ClaimOptions<T>): Promise<T | undefined> {
  const next = structuredClone(obj);
  next.metadata!.ownerReferences = [...(obj.metadata?.ownerReferences ?? []), newControllerRef(o.owner, o.ownerApiVersion, o.ownerKind)];
  try {
    return await o.client.update<T>(o.ref, obj.metadata?.namespace, next);
  } catch (e) {
    if (e instanceof StatusError && e.code === 404) return undefined; // gone: nothing to adopt
    throw e;
  }
}

async function release<T extends KubeObject>(obj: T, uid: string, o: ClaimOptions<T>): Promise<void> {
  const next = structuredClone(obj);
  next.metadata!.ownerReferences = (obj.metadata?.ownerReferences ?? []).filter((r) => r.uid !== uid);
  try {
    await o.client.update(o.ref, obj.metadata?.namespace, next);
  } catch (e) {
    if (e instanceof StatusError && (e.code === 404 || e.code === 422)) return; // gone, or being deleted
    throw e;
  }
}
