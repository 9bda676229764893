/** The fake workspace and the bot fleetbot runs as there; the team and app ids are the fixtures' own. */

export const TEAM = { id: 'T0000FLEET', domain: 'fleet-example', name: 'Fleet Example' } as const;

export const APP_ID = 'A0000FLEET';

export const BOT = { userId: 'U0000FLEETBOT', botId: 'B0000FLEETBOT', name: 'fleetbot' } as const;
