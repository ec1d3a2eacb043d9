/**
 * A port's token: a global symbol named after the port, part of the published SDK surface so that a third party
 * can bind the port in a container of its own (the kernel itself uses none: docs/decisions/0008-explicit-composition-root.md). The token shares the port's name so that one import brings
 * both the type and the value (`import { Clock } from './clock.js'`). `Symbol.for` keeps tokens equal
 * across module copies (a plugin installed as a package may carry its own copy of the ports).
 */
export type Token<T> = symbol & { readonly __type?: T };

export function createToken<T>(name: string): Token<T> {
  return Symbol.for(`harvester.port.${name}`) as Token<T>;
}

/** Returned by every subscription; calling it twice is harmless. */
export type Disposer = () => void;
