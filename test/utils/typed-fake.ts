/**
 * Typed fakes for service specs (the middle test tier, as immich's `newTestService`): a fake of a
 * repository names every public method of the class, each a jest mock with the method's own
 * signature. Adding a method to the repository breaks every fake of it at compile time
 * (`npm run typecheck`), so no spec runs against a fake that lags behind the class, and a mock's
 * `mockResolvedValue` only takes what the real method returns.
 *
 *   const deliveries = typedFake<DeliveryRepository>({
 *     insert: jest.fn(),
 *     findIdByKey: jest.fn(),
 *     …every other method,
 *   });
 *   deliveries.insert.mockResolvedValue('0b7e…');
 *   const service = new DeliveryService(runner, signals, clock, deliveries);
 */

/** The public surface of a class; private members are not part of it. */
export type PublicOf<T> = { [K in keyof T]: T[K] };

/** Every public member of T, methods as jest mocks typed by T's own signatures. */
export type TypedFake<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? jest.Mock<R, A> : T[K];
};

type MethodsOf<T> = {
  [K in keyof T]: T[K] extends (...args: never[]) => unknown ? K : never;
}[keyof T];

/**
 * The methods of T (all of them, or the ones named), each a jest mock with T's signature: for a
 * collaborator of which a spec needs only some methods. A repository's fake lists them all.
 */
export type Fake<T, K extends MethodsOf<T> = MethodsOf<T>> = jest.Mocked<Pick<T, K>>;

/** Checks the literal against T: every public method present, none unknown. */
export function typedFake<T>(members: TypedFake<T>): TypedFake<T> {
  return members;
}

/**
 * Hands a fake to a constructor that wants the class itself. TypeScript compares classes with
 * private members nominally, so even a complete fake of their public surface needs this one
 * cast; the parameter type still checks every public member.
 */
export function asDependency<T>(fake: PublicOf<T>): T {
  return fake as T;
}

/** A mock for a method the code under test must not call: the call fails the test. */
export function notCalled<A extends unknown[], R>(name: string): jest.Mock<R, A> {
  return jest.fn((..._args: A): R => {
    throw new Error(`unexpected call: ${name}`);
  });
}
