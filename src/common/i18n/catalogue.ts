import type { Locale } from '../../config/app-config';
import { en } from './en';
import { sw } from './sw';

export type { Locale };

/** Every message key; en.ts is the source of the key set. */
export type MessageKey = keyof typeof en;

/** What each language file must provide: a text for every key. */
export type Catalogue = Record<MessageKey, string>;

/** The `{name}` placeholders of a template literal type. */
export type ParamNames<S extends string> = S extends `${string}{${infer P}}${infer Rest}`
  ? P | ParamNames<Rest>
  : never;

export type MessageParams<K extends MessageKey> = {
  [P in ParamNames<(typeof en)[K]>]: string | number;
};

/** Keys without placeholders take no params argument; the others must name every one. */
export type ParamsArg<K extends MessageKey> = [ParamNames<(typeof en)[K]>] extends [never]
  ? []
  : [params: MessageParams<K>];

export const CATALOGUES: Readonly<Record<Locale, Catalogue>> = { en, sw };

export const LOCALES: readonly Locale[] = ['en', 'sw'];

const PLACEHOLDER = /\{(\w+)\}/g;

/** Placeholder names in a text, in order, without repeats. */
export function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))];
}

export function interpolate(text: string, params: Record<string, string | number>): string {
  return text.replace(PLACEHOLDER, (match, name: string) => {
    const value = params[name];
    return value === undefined ? match : String(value);
  });
}

/**
 * The text for `key` in `locale` with its `{params}` filled in. Values are inserted as given:
 * format amounts, dates and phones with format.ts first.
 */
export function t<K extends MessageKey>(locale: Locale, key: K, ...args: ParamsArg<K>): string {
  const [params] = args;
  const text = CATALOGUES[locale][key] ?? CATALOGUES.en[key];
  return params === undefined ? text : interpolate(text, params);
}
