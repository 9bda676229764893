import type { PayloadProblem } from '../../src/alerts/index.ts';

/**
 * What the sender of each malformed payload of test/support/malformed-alerts.ts reads in the 400,
 * by row name: every problem, its JSON path and its words. A row added there fails until it is
 * added here.
 */
export const TOLD: Readonly<Record<string, readonly PayloadProblem[]>> = {
  'azure: null': [{ path: '(top level)', message: 'expected an object, got null' }],
  'azure: an array': [{ path: '(top level)', message: 'expected an object, got an array of 1 item' }],
  'azure: a string': [{ path: '(top level)', message: 'expected an object, got "Fired"' }],
  'azure: a number': [{ path: '(top level)', message: 'expected an object, got 42' }],
  'azure: an empty object': [
    {
      path: 'schemaId',
      message:
        'expected "azureMonitorCommonAlertSchema", but it is missing. Turn on "Enable the common alert schema" for this webhook in the action group',
    },
    { path: 'data', message: 'expected an object, but it is missing' },
  ],
  'azure: the non-common metric schema': [
    {
      path: 'schemaId',
      message:
        'expected "azureMonitorCommonAlertSchema", got "AzureMonitorMetricAlert". Turn on "Enable the common alert schema" for this webhook in the action group',
    },
  ],
  'azure: no data': [{ path: 'data', message: 'expected an object, but it is missing' }],
  'azure: data is an array': [{ path: 'data', message: 'expected an object, got an empty array' }],
  'azure: essentials null': [{ path: 'data.essentials', message: 'expected an object, got null' }],
  'azure: essentials a string': [{ path: 'data.essentials', message: 'expected an object, got "Sev1"' }],
  'azure: data nested 1000 levels deep': [
    { path: 'data.essentials', message: 'expected an object, but it is missing' },
  ],
  'azure: unknown monitorCondition': [
    { path: 'data.essentials.monitorCondition', message: 'expected "Fired" or "Resolved", got "Open"' },
  ],
  'azure: monitorCondition in lower case': [
    {
      path: 'data.essentials.monitorCondition',
      message: 'expected "Fired" or "Resolved", got "fired". Did you mean "Fired"?',
    },
  ],
  'azure: no monitorCondition': [
    {
      path: 'data.essentials.monitorCondition',
      message: 'expected "Fired" or "Resolved", but it is missing',
    },
  ],
  'azure: severity a number': [{ path: 'data.essentials.severity', message: 'expected a string, got 1' }],
  'azure: firedDateTime not a date': [
    {
      path: 'data.essentials.firedDateTime',
      message: 'expected an RFC 3339 timestamp like "2025-06-12T14:05:24Z", got "yesterday"',
    },
  ],
  'azure: firedDateTime on 30 February': [
    {
      path: 'data.essentials.firedDateTime',
      message: 'expected an RFC 3339 timestamp like "2025-06-12T14:05:24Z", got "2025-02-30T14:05:41Z"',
    },
  ],
  'azure: firedDateTime as epoch milliseconds': [
    {
      path: 'data.essentials.firedDateTime',
      message: 'expected an RFC 3339 timestamp like "2025-06-12T14:05:24Z", got 1749737141626',
    },
  ],
  'azure: firedDateTime of 1 MB': [
    {
      path: 'data.essentials.firedDateTime',
      message:
        'expected an RFC 3339 timestamp like "2025-06-12T14:05:24Z", got "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…" (1000000 characters)',
    },
  ],
  'azure: no firedDateTime': [
    {
      path: 'data.essentials.firedDateTime',
      message: 'expected an RFC 3339 timestamp like "2025-06-12T14:05:24Z", but it is missing',
    },
  ],
  'azure: resolvedDateTime without a zone': [
    {
      path: 'data.essentials.resolvedDateTime',
      message: 'expected an RFC 3339 timestamp like "2025-06-12T14:05:24Z", got "2025-06-12T14:31:16"',
    },
  ],
  'azure: alertTargetIDs a string': [
    { path: 'data.essentials.alertTargetIDs', message: 'expected an array, got "[\\"/subscriptions/x\\"]"' },
  ],
  'azure: alertTargetIDs nested arrays': [
    { path: 'data.essentials.alertTargetIDs[0]', message: 'expected a string, got an array of 1 item' },
  ],
  'azure: configurationItems numbers': [
    { path: 'data.essentials.configurationItems[0]', message: 'expected a string, got 1' },
    { path: 'data.essentials.configurationItems[1]', message: 'expected a string, got 2' },
  ],
  'azure: description an object': [
    { path: 'data.essentials.description', message: 'expected a string, got an object' },
  ],
  'azure: investigationLink a number': [
    { path: 'data.essentials.investigationLink', message: 'expected a string, got 404' },
  ],
  'azure: no alert id or rule at all': [
    {
      path: 'data.essentials.alertId',
      message:
        'expected an alert id or rule: alertId, alertRule, alertRuleId and originAlertId are all missing or empty',
    },
  ],
  'azure: the schema id only under __proto__': [
    {
      path: 'schemaId',
      message:
        'expected "azureMonitorCommonAlertSchema", but it is missing. Turn on "Enable the common alert schema" for this webhook in the action group',
    },
  ],
  'azure: essentials only under __proto__': [
    {
      path: 'data.essentials.monitorCondition',
      message: 'expected "Fired" or "Resolved", but it is missing',
    },
    {
      path: 'data.essentials.firedDateTime',
      message: 'expected an RFC 3339 timestamp like "2025-06-12T14:05:24Z", but it is missing',
    },
  ],
  'alertmanager: null': [{ path: '(top level)', message: 'expected an object, got null' }],
  'alertmanager: an array of alerts': [
    { path: '(top level)', message: 'expected an object, got an array of 1 item' },
  ],
  'alertmanager: an empty object': [{ path: 'alerts', message: 'expected an array, but it is missing' }],
  'alertmanager: alerts an object': [{ path: 'alerts', message: 'expected an array, got an object' }],
  'alertmanager: no alerts': [{ path: 'alerts', message: 'expected at least 1 item, got 0 items' }],
  'alertmanager: 1001 alerts': [
    { path: 'alerts', message: 'expected at most 1000 alerts in one request, got 1001' },
  ],
  'alertmanager: truncatedAlerts as a string': [
    { path: 'truncatedAlerts', message: 'expected a number, got "3"' },
  ],
  'alertmanager: truncatedAlerts negative': [
    { path: 'truncatedAlerts', message: 'expected at least 0, got -1' },
  ],
  'alertmanager: groupKey a number': [{ path: 'groupKey', message: 'expected a string, got 4' }],
  'alertmanager: version a number': [{ path: 'version', message: 'expected a string, got 4' }],
  'alertmanager: alerts only under __proto__': [
    { path: 'alerts', message: 'expected an array, but it is missing' },
  ],
  'alertmanager: an alert null': [{ path: 'alerts[0]', message: 'expected an object, got null' }],
  'alertmanager: unknown alert status': [
    { path: 'alerts[0].status', message: 'expected "firing" or "resolved", got "pending"' },
  ],
  'alertmanager: no alert status': [
    { path: 'alerts[0].status', message: 'expected "firing" or "resolved", but it is missing' },
  ],
  'alertmanager: no labels': [{ path: 'alerts[0].labels', message: 'expected an object, but it is missing' }],
  'alertmanager: labels an array': [
    { path: 'alerts[0].labels', message: 'expected an object, got an array of 1 item' },
  ],
  'alertmanager: a label value a number': [
    { path: 'alerts[0].labels.severity', message: 'expected a string, got 2' },
  ],
  'alertmanager: a label value nested 1000 levels deep': [
    { path: 'alerts[0].labels["app.kubernetes.io/name"]', message: 'expected a string, got an object' },
  ],
  'alertmanager: annotations a string': [
    { path: 'alerts[0].annotations', message: 'expected an object, got "Pod is crash looping."' },
  ],
  'alertmanager: startsAt not a date': [
    {
      path: 'alerts[0].startsAt',
      message: 'expected an RFC 3339 timestamp like "2025-06-12T14:05:24Z", got "not a date"',
    },
  ],
  'alertmanager: no startsAt': [
    {
      path: 'alerts[0].startsAt',
      message: 'expected an RFC 3339 timestamp like "2025-06-12T14:05:24Z", but it is missing',
    },
  ],
  'alertmanager: endsAt a number': [
    {
      path: 'alerts[0].endsAt',
      message: 'expected an RFC 3339 timestamp like "2025-06-12T14:05:24Z", got 0',
    },
  ],
  'alertmanager: fingerprint a number': [
    { path: 'alerts[0].fingerprint', message: 'expected a string, got 1596725915' },
  ],
  'alertmanager: fingerprint of 1 MB': [
    { path: 'alerts[0].fingerprint', message: 'expected at most 200 characters, got 1000000 characters' },
  ],
  'alertmanager: generatorURL an object': [
    { path: 'alerts[0].generatorURL', message: 'expected a string, got an object' },
  ],
  'alertmanager: the fourth alert broken, the others fine': [
    { path: 'alerts[3].labels', message: 'expected an object, got null' },
  ],
  'generic: null': [
    { path: '(top level)', message: 'expected an alert object, or {"alerts": [ … ]}, got null' },
  ],
  'generic: a string': [
    { path: '(top level)', message: 'expected an alert object, or {"alerts": [ … ]}, got "backup failed"' },
  ],
  'generic: a bare array of alerts': [
    {
      path: '(top level)',
      message: 'expected an alert object, or {"alerts": [ … ]}, got an array of 1 item',
    },
  ],
  'generic: an empty object': [
    { path: 'title', message: 'expected a string, but it is missing' },
    {
      path: 'severity',
      message:
        'expected P0, P1, P2, P3 or one of critical, high, medium, warning, low, info, but it is missing',
    },
  ],
  'generic: empty title': [{ path: 'title', message: 'expected at least 1 character, got 0 characters' }],
  'generic: title of 1 MB': [
    { path: 'title', message: 'expected at most 300 characters, got 1000000 characters' },
  ],
  'generic: title a number': [{ path: 'title', message: 'expected a string, got 500' }],
  'generic: no severity': [
    {
      path: 'severity',
      message:
        'expected P0, P1, P2, P3 or one of critical, high, medium, warning, low, info, but it is missing',
    },
  ],
  'generic: unknown severity': [
    {
      path: 'severity',
      message: 'expected P0, P1, P2, P3 or one of critical, high, medium, warning, low, info, got "urgent"',
    },
  ],
  'generic: severity a number': [
    {
      path: 'severity',
      message: 'expected P0, P1, P2, P3 or one of critical, high, medium, warning, low, info, got 1',
    },
  ],
  'generic: severity P4': [
    {
      path: 'severity',
      message: 'expected P0, P1, P2, P3 or one of critical, high, medium, warning, low, info, got "P4"',
    },
  ],
  'generic: unknown status': [{ path: 'status', message: 'expected "firing" or "resolved", got "open"' }],
  'generic: startsAt in month 13': [
    {
      path: 'startsAt',
      message: 'expected an RFC 3339 timestamp like "2025-06-12T14:05:24Z", got "2025-13-01T00:00:00Z"',
    },
  ],
  'generic: startsAt a date without a time': [
    {
      path: 'startsAt',
      message: 'expected an RFC 3339 timestamp like "2025-06-12T14:05:24Z", got "2025-06-12"',
    },
  ],
  'generic: endsAt before startsAt': [
    {
      path: 'endsAt',
      message:
        'expected a time at or after startsAt (2025-06-12T14:00:00.000Z), got 2025-06-12T13:00:00.000Z',
    },
  ],
  'generic: service a number': [{ path: 'service', message: 'expected a string, got 3000' }],
  'generic: fingerprint of 201 characters': [
    { path: 'fingerprint', message: 'expected at most 200 characters, got 201 characters' },
  ],
  'generic: description an object': [{ path: 'description', message: 'expected a string, got an object' }],
  'generic: links a string': [
    { path: 'links', message: 'expected an array, got "https://ci.example.invalid"' },
  ],
  'generic: a javascript: link': [
    {
      path: 'links[0].url',
      message: 'expected an absolute http or https URL of at most 3000 characters, got "javascript:alert(1)"',
    },
  ],
  'generic: a relative link': [
    {
      path: 'links[0].url',
      message: 'expected an absolute http or https URL of at most 3000 characters, got "/jobs/42"',
    },
  ],
  'generic: an ftp link': [
    {
      path: 'links[0].url',
      message:
        'expected an absolute http or https URL of at most 3000 characters, got "ftp://ci.example.invalid/log"',
    },
  ],
  'generic: a link URL of 1 MB': [
    {
      path: 'links[0].url',
      message:
        'expected an absolute http or https URL of at most 3000 characters, got "https://ci.example.invalid/xxxxxxxxxxxxx…" (1000027 characters)',
    },
  ],
  'generic: a link with an unknown key': [{ path: 'links[0].href', message: 'unknown key' }],
  'generic: 11 links': [{ path: 'links', message: 'expected at most 10 items, got 11 items' }],
  'generic: 51 labels': [{ path: 'labels', message: 'expected at most 50 labels, got 51' }],
  'generic: a label value a number': [{ path: 'labels.attempt', message: 'expected a string, got 3' }],
  'generic: labels an array': [{ path: 'labels', message: 'expected an object, got an array of 1 item' }],
  'generic: a misspelt key': [{ path: 'sevrity', message: 'unknown key. Did you mean "severity"?' }],
  'generic: an own __proto__ key': [{ path: '__proto__', message: 'unknown key' }],
  'generic: an empty batch': [{ path: 'alerts', message: 'expected at least 1 item, got 0 items' }],
  'generic: alerts a string': [{ path: 'alerts', message: 'expected an array, got "many"' }],
  'generic: 1001 alerts': [
    { path: 'alerts', message: 'expected at most 1000 alerts in one request, got 1001' },
  ],
  'generic: the third alert of a batch without a title': [
    { path: 'alerts[2].title', message: 'expected a string, but it is missing' },
  ],
  'generic: a batch with a top-level title too': [{ path: 'title', message: 'unknown key' }],
};
