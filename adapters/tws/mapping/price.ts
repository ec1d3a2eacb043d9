import type { Price } from '../../../core/domain/units.js';

/**
 * TWS speaks decimal prices; core speaks integer ten-thousandths. Conversion happens here and nowhere else.
 * Inbound rounds to the nearest unit (TWS sends binary floats such as 150.27000000000001); outbound divides exactly.
 */
export function fromTws(decimal: number): Price {
  return Math.round(decimal * 10_000);
}

export function toTws(price: Price): number {
  return price / 10_000;
}
