/** What the informers of a view could not do (forbidden, not served, reconnecting), in one line. */
import type { Informer } from './informer.ts';

export function Problems({ infs }: { infs: Informer[] }) {
  const errs = infs.map((i) => i.error.value && `${i.kind.plural}: ${i.error.value}`).filter(Boolean);
  return errs.length ? <p class="error" role="status">{errs.join(' · ')}</p> : null;
}
