/** Someone covering a role for a while, instead of its rotation or its configured people. */
export interface OnCallOverride {
  role: string;
  user: string;
  startsAt: Date;
  endsAt: Date;
  reason?: string;
  createdBy: string;
}

/** The overrides, in PostgreSQL. */
export interface OnCallStore {
  add(override: OnCallOverride, now: Date): Promise<void>;
  /** Overrides in force at `at`, the newest first (the newest wins for its role). */
  active(at: Date): Promise<OnCallOverride[]>;
}
