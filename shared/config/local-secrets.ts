/**
 * Local mode has no Secrets Manager: each secret's JSON fields come from these environment variables
 * (set in .env). The wiring declares them and the handlers read them, from this one place.
 */
export const WEBHOOK_SECRET_LOCAL_ENV = { current: 'MONCRENEAU_WEBHOOK_SECRET', previous: 'MONCRENEAU_WEBHOOK_SECRET_PREVIOUS' } as const;

/** The MONCRENEAU API key's JSON field `apiKey`, locally from MONCRENEAU_API_KEY. */
export const API_KEY_LOCAL_ENV = { apiKey: 'MONCRENEAU_API_KEY' } as const;
