/**
 * Orders strings by their UTF-16 code units: the order AWS lists names in and signatures sort
 * keys in. `localeCompare` orders by the locale's rules instead, and its first call loads ICU's
 * collator, about 12 ms that every `labwright check` would pay.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
