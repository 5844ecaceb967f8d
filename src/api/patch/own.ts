/**
 * Own-property access for decoded JSON: a key such as "__proto__" (legal in, e.g., ConfigMap data) must be read and
 * written as a plain data property, never through the prototype (which would let a request pollute Object.prototype).
 */
export function getOwn(o: Record<string, unknown>, k: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
}
export function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}
export function hasOwn(o: Record<string, unknown>, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}
