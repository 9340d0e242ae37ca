/**
 * Request types of services, built from the SDK's params: Switchboard accepts `null` for every optional field, as
 * OpenAI does, where the SDK's types only say optional. Services take these, never api/schemas' zod types; the
 * schemas' outputs must fit them (the routes' calls are the check).
 */
export type OrNull<T> = { [K in keyof T]: undefined extends T[K] ? T[K] | null : T[K] };
