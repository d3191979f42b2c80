import { InitialSchema1795678900000 } from './1795678900000-InitialSchema';

/** Every migration, oldest first. Listed by hand so that compiled and ts-jest runs load the same set. */
export const MIGRATIONS = [InitialSchema1795678900000];
