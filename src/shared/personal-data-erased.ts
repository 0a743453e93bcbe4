/** What a personal field reads as once its subject's key is destroyed, whatever its type was. */
export const PERSONAL_DATA_ERASED = '[erased]';
