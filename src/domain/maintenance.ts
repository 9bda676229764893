/** A maintenance window besides the recurring one: emergency or planned by hand. */
export interface MaintenanceWindowRecord {
  id: number;
  startsAt: Date;
  endsAt: Date;
  reason: string;
  createdBy: string;
}

export interface MaintenanceStore {
  add(window: Omit<MaintenanceWindowRecord, 'id'>, now: Date): Promise<MaintenanceWindowRecord>;
  /** Windows not cancelled that end after `after`, soonest first. */
  upcoming(after: Date): Promise<MaintenanceWindowRecord[]>;
  /** Ends a window now (`endsAt` = now, or cancelled when it had not started); false when there is none. */
  close(id: number, now: Date): Promise<boolean>;
}
